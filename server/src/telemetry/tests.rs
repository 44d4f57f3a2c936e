//! Route names and the metrics listener's answer.

use super::*;

#[test]
fn requests_are_named_by_their_route_template() {
    let routes = RouteNames::get(&crate::serve::app_route_paths());
    assert_eq!(routes.name_of("/courses/intro-to-rust"), "/courses/{slug}");
    assert_eq!(routes.name_of("/courses/another-one"), "/courses/{slug}");
    assert_eq!(routes.name_of("/courses"), "/courses");
    assert_eq!(routes.name_of("/readyz"), "/readyz");
    assert_eq!(routes.name_of("/api/courses/search"), "/api/courses/search");
    assert_eq!(routes.name_of("/pkg/acmelearn.wasm"), "/pkg/{*file}");
    assert_eq!(routes.name_of("/no/such/page/4711"), OTHER_ROUTE);
    assert_eq!(method_name(&Method::from_bytes(b"BREW").unwrap()), "other");
}
