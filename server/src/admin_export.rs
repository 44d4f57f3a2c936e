//! CSV downloads for admins (`/admin/export/{name}`): a plain route rather
//! than a server function, because the answer is a file, not data for a page.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use tower_sessions::Session;

use app::AppError;
use app::account::{Role, user_in};
use app::read_pool::ReadPool;

pub async fn admin_export(
    session: Session,
    State(pool): State<PgPool>,
    State(analytics): State<ReadPool>,
    Path(name): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let refused = |error: AppError| {
        let status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, error.to_string()).into_response()
    };
    match user_in(&session, &pool).await {
        Ok(Some(user)) if user.role == Role::Admin => {}
        Ok(Some(_)) => return refused(AppError::Forbidden),
        Ok(None) => return refused(AppError::Unauthorized),
        Err(error) => return refused(error),
    }
    // The analytics panels' tables are hourly figures: a replica's copy will
    // do. The user list is what an admin has just changed: the primary's.
    let source = if name == "users" {
        &pool
    } else {
        analytics.current()
    };
    match app::admin::export::export(source, &name, &pairs).await {
        Ok(file) => {
            let disposition = format!("attachment; filename=\"{}\"", file.file_name);
            let mut response = file.body.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(error) => refused(error),
    }
}
