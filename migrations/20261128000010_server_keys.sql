-- Secrets the server instances share, made by whichever starts first.
-- `form_errors` signs the error a plain (no-JavaScript) form post carries back
-- to its page in the address, so a link cannot make a page show someone
-- else's words as AcmeLearn's (server/src/form_redirects.rs). Kept in the
-- database so that every instance behind a load balancer accepts the others'
-- redirects; never sent to a browser.
create table server_keys (
    name text primary key,
    secret bytea not null check (octet_length(secret) >= 32),
    created_at timestamptz not null default now()
);
