//! Which credentials sign an attempt, and the one re-sign after
//! `InvalidSecurityToken.Expired` (issue 12).
//!
//! Every attempt asks the provider for the current credentials, so
//! temporary ones are refreshed before they expire while requests are in
//! flight. The service's clock is the judge, though: a request signed with
//! credentials it holds expired is refused with
//! `InvalidSecurityToken.Expired` *before it takes effect* (§9), so sending
//! it again is safe, creates included. It is re-signed with fresh
//! credentials and sent once more, outside the retry budget; credentials
//! given as they are cannot be refreshed, and the refusal stands, with a
//! hint saying what to change. A request whose reply was lost is no such
//! refusal: it stays "outcome unknown", whatever its credentials.

use serde_json::Value;

use super::action::Action;
use super::client::Client;
use super::credentials::error::EXPIRED_TOKEN;
use super::error::ApiError;
use super::request::Params;
use super::send::Waits;

impl Client {
    /// One attempt as the retry loop sees it: signed with the current
    /// credentials, and, if the service holds them expired, signed again
    /// with fresh ones and sent once more.
    pub(super) async fn send_signed(
        &self,
        action: Action,
        params: &Params,
    ) -> (Result<Value, ApiError>, Waits) {
        let provider = &self.config().credentials;
        let unavailable = |cause| {
            let error = ApiError::Credentials {
                action,
                cause: Box::new(cause),
            };
            (Err(error), Waits::default())
        };
        let credentials = match provider.current().await {
            Ok(credentials) => credentials,
            Err(cause) => return unavailable(cause),
        };
        let first = self.send_once(action, params, &credentials).await;
        if !matches!(&first.0, Err(error) if error.code() == Some(EXPIRED_TOKEN)) {
            return first;
        }
        // Within the attempt already paced: the refused request took no
        // effect and used up no quota worth a second wait.
        match provider.refresh_after_expired(&credentials).await {
            Ok(Some(fresh)) => self.send_once(action, params, &fresh).await,
            // Given as they are: the refusal, and its hint, stand.
            Ok(None) => first,
            Err(cause) => unavailable(cause),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::test_server::{Server, create_request, gateway, ok};

    /// Credentials given as they are (the test pair carries a token, as CI
    /// hands out STS credentials): refused as expired, nothing can be
    /// refreshed, so the create is sent once and the refusal stands, with
    /// what to change.
    #[tokio::test]
    async fn given_credentials_refused_as_expired_are_not_sent_again() {
        let server = Server::script(vec![
            gateway(400, "InvalidSecurityToken.Expired"),
            ok(json!(118700000000000001u64)),
        ])
        .await;
        let client = server.client(|_| {});
        let err = client.create_task(&create_request("x")).await.unwrap_err();
        assert_eq!(err.code(), Some("InvalidSecurityToken.Expired"));
        assert!(!err.is_outcome_unknown(), "{err:?}");
        assert!(err.hint().unwrap().contains("cannot refresh"), "{err:?}");
        assert_eq!(server.seen().len(), 1);
    }
}
