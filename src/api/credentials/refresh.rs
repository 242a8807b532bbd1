//! Temporary credentials kept fresh for as long as a run lasts (issue 12).
//!
//! [`Refreshing`] holds the latest credentials and their `Expiration`, the
//! time the service gave (never an assumed duration). It refreshes them
//! when little is left: 180 s, as Alibaba Cloud's Go library does, or a
//! fifth of their lifetime if that is shorter (credentials that live a few
//! seconds in tests, or were issued late). One refresh at a time, however
//! many requests are in flight:
//!
//! - a caller that finds the credentials due takes the refresh; the others
//!   keep using the current ones while those still hold, and wait for the
//!   new ones only when nothing usable is left;
//! - a refresh that fails while the current credentials still hold is not
//!   an error yet: they are used, and the refresh is tried again a second
//!   later, until they expire;
//! - a request refused with `InvalidSecurityToken.Expired` (the service's
//!   clock is the judge) forces a refresh — unless someone refreshed since
//!   the refused request was signed, whose credentials are then used.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use futures_util::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};

use super::Credentials;
use super::error::CredentialsError;
use super::fetch::Fetched;
use super::provider::Observer;

/// Refresh when this little of the credentials' lifetime is left, or a
/// fifth of it if that is shorter.
pub(crate) const REFRESH_WINDOW: Duration = Duration::from_secs(180);
/// After a failed refresh, while the current credentials still hold.
const RETRY_AFTER_FAILURE: SignedDuration = SignedDuration::from_secs(1);

/// Now, as the refresher sees it (the system clock; tests move their own).
pub(crate) type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Obtains a new set of temporary credentials.
pub(crate) trait Fetch: Send + Sync {
    /// One fetch: STS, the metadata service, a credentials URI.
    fn fetch(&self) -> BoxFuture<'_, Result<Fetched, CredentialsError>>;
}

/// Credentials in use and when to replace them.
struct Issued {
    credentials: Arc<Credentials>,
    expiration: Timestamp,
    refresh_at: Timestamp,
}

/// The latest temporary credentials, refreshed single-flight.
pub(crate) struct Refreshing {
    fetch: Box<dyn Fetch>,
    latest: RwLock<Option<Arc<Issued>>>,
    /// Held by the one caller refreshing; holds when to try again after a
    /// failure.
    flight: tokio::sync::Mutex<Option<Timestamp>>,
    observer: Observer,
    clock: Clock,
    fetches: AtomicU64,
}

impl Refreshing {
    pub(crate) fn new(fetch: Box<dyn Fetch>, observer: Observer, clock: Clock) -> Refreshing {
        Refreshing {
            fetch,
            latest: RwLock::new(None),
            flight: tokio::sync::Mutex::new(None),
            observer,
            clock,
            fetches: AtomicU64::new(0),
        }
    }

    /// The credentials to sign with now: the current ones until they are
    /// due, then fresh ones (see the module docs).
    pub(crate) async fn current(&self) -> Result<Arc<Credentials>, CredentialsError> {
        let now = (self.clock)();
        let latest = self.latest();
        if let Some(issued) = &latest
            && now < issued.refresh_at
        {
            return Ok(issued.credentials.clone());
        }
        let mut flight = match (self.flight.try_lock(), &latest) {
            (Ok(flight), _) => flight,
            // Someone is refreshing: no need to wait while these hold.
            (Err(_), Some(issued)) if now < issued.expiration => {
                return Ok(issued.credentials.clone());
            }
            (Err(_), _) => self.flight.lock().await,
        };
        // Refreshed while we waited?
        let now = (self.clock)();
        let latest = self.latest();
        let usable = latest.as_ref().filter(|issued| now < issued.expiration);
        if let Some(issued) = &latest
            && now < issued.refresh_at
        {
            return Ok(issued.credentials.clone());
        }
        if let (Some(issued), Some(next)) = (usable, *flight)
            && now < next
        {
            return Ok(issued.credentials.clone());
        }
        match self.fetch_now().await {
            Ok(fetched) => {
                *flight = None;
                Ok(self.store(fetched, now))
            }
            Err(err) => match usable {
                Some(issued) => {
                    *flight = now.checked_add(RETRY_AFTER_FAILURE).ok();
                    Ok(issued.credentials.clone())
                }
                None => Err(err),
            },
        }
    }

    /// Fresh credentials after a request signed with `stale` was refused as
    /// expired: those of a refresh made since it was signed, else new ones.
    pub(crate) async fn refresh_after_expired(
        &self,
        stale: &Arc<Credentials>,
    ) -> Result<Arc<Credentials>, CredentialsError> {
        let mut flight = self.flight.lock().await;
        if let Some(issued) = self.latest()
            && !Arc::ptr_eq(&issued.credentials, stale)
        {
            return Ok(issued.credentials.clone());
        }
        let now = (self.clock)();
        let fetched = self.fetch_now().await?;
        *flight = None;
        Ok(self.store(fetched, now))
    }

    /// How many fetches were made (successful or not).
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    async fn fetch_now(&self) -> Result<Fetched, CredentialsError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        self.fetch.fetch().await
    }

    fn latest(&self) -> Option<Arc<Issued>> {
        self.latest
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Keeps `fetched`, asked for at `asked_at`, as the latest; its secrets
    /// go to the observer before anyone signs with them.
    fn store(&self, fetched: Fetched, asked_at: Timestamp) -> Arc<Credentials> {
        let credentials = Arc::new(fetched.credentials);
        (self.observer)(&credentials.scrubber());
        let issued = Issued {
            credentials: credentials.clone(),
            expiration: fetched.expiration,
            refresh_at: refresh_at(asked_at, fetched.expiration),
        };
        *self.latest.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(issued));
        credentials
    }
}

/// When credentials asked for at `asked_at` and expiring at `expiration`
/// are due for a refresh: when the smaller of 180 s and a fifth of their
/// lifetime is left. A lifetime of nothing (this clock is ahead of the
/// service's) is kept a second, so that a skewed clock does not ask for
/// credentials with every request; the service's refusal then says when.
pub(crate) fn refresh_at(asked_at: Timestamp, expiration: Timestamp) -> Timestamp {
    let lifetime = expiration.duration_since(asked_at);
    if lifetime <= SignedDuration::ZERO {
        return asked_at
            .checked_add(RETRY_AFTER_FAILURE)
            .unwrap_or(asked_at);
    }
    let max = SignedDuration::try_from(REFRESH_WINDOW).unwrap_or(SignedDuration::MAX);
    let window = max.min(lifetime / 5);
    expiration.checked_sub(window).unwrap_or(asked_at)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::api::credentials::CredentialSource;
    use crate::secret::Secret;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn the_window_is_180_seconds_or_a_fifth_of_the_lifetime() {
        // An hour: refreshed 180 s before it ends, as the Go library does.
        assert_eq!(refresh_at(at(0), at(3600)), at(3600 - 180));
        // 900 s, the shortest STS gives: a fifth is exactly 180 s.
        assert_eq!(refresh_at(at(0), at(900)), at(720));
        // 10 s in a test: 2 s before.
        assert_eq!(refresh_at(at(0), at(10)), at(8));
        // Already over by this clock: kept one second.
        assert_eq!(refresh_at(at(5), at(5)), at(6));
        assert_eq!(refresh_at(at(5), at(1)), at(6));
    }

    /// A fake service: credentials `STS.n` living `lifetime` seconds from
    /// the fake clock, or failures while `failing`.
    struct Service {
        clock: Arc<Mutex<Timestamp>>,
        lifetime: i64,
        issued: AtomicUsize,
        failing: Mutex<bool>,
        gate: tokio::sync::Semaphore,
    }

    impl Fetch for Arc<Service> {
        fn fetch(&self) -> BoxFuture<'_, Result<Fetched, CredentialsError>> {
            Box::pin(async move {
                // Held here until the test lets a fetch finish.
                self.gate.acquire().await.unwrap().forget();
                if *self.failing.lock().unwrap() {
                    return Err(CredentialsError::Unreachable {
                        service: "STS".to_owned(),
                        request: "AssumeRole".to_owned(),
                        detail: "refused".to_owned(),
                        transient: true,
                    });
                }
                let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
                let now = *self.clock.lock().unwrap();
                let mut credentials = Credentials::new(
                    format!("STS.key{n:04}"),
                    Secret::new(format!("secret-{n:04}-xxxx")),
                    "fake",
                );
                credentials.source = CredentialSource::Given {
                    description: "fake".to_owned(),
                };
                Ok(Fetched {
                    credentials,
                    expiration: now
                        .checked_add(SignedDuration::from_secs(self.lifetime))
                        .unwrap(),
                })
            })
        }
    }

    fn refreshing(lifetime: i64) -> (Arc<Refreshing>, Arc<Service>, Arc<Mutex<usize>>) {
        let clock = Arc::new(Mutex::new(at(0)));
        let service = Arc::new(Service {
            clock: clock.clone(),
            lifetime,
            issued: AtomicUsize::new(0),
            failing: Mutex::new(false),
            gate: tokio::sync::Semaphore::new(1000),
        });
        let observed = Arc::new(Mutex::new(0));
        let seen = observed.clone();
        let refreshing = Refreshing::new(
            Box::new(service.clone()),
            Arc::new(move |_| *seen.lock().unwrap() += 1),
            Arc::new(move || *clock.lock().unwrap()),
        );
        (Arc::new(refreshing), service, observed)
    }

    fn advance(service: &Service, seconds: i64) {
        let mut now = service.clock.lock().unwrap();
        *now = now.checked_add(SignedDuration::from_secs(seconds)).unwrap();
    }

    #[tokio::test]
    async fn credentials_are_reused_until_due_then_refreshed() {
        let (refreshing, service, observed) = refreshing(3600);
        let first = refreshing.current().await.unwrap();
        assert_eq!(first.access_key_id, "STS.key0001");
        advance(&service, 3600 - 181);
        assert!(Arc::ptr_eq(&refreshing.current().await.unwrap(), &first));
        advance(&service, 1);
        let second = refreshing.current().await.unwrap();
        assert_eq!(second.access_key_id, "STS.key0002");
        assert_eq!(refreshing.fetches(), 2);
        assert_eq!(*observed.lock().unwrap(), 2, "every set is observed");
    }

    #[tokio::test]
    async fn one_refresh_however_many_callers() {
        let (refreshing, service, _) = refreshing(10);
        refreshing.current().await.unwrap();
        advance(&service, 9);
        // Hold the next fetch until every caller has asked.
        service.gate.forget_permits(1000);
        let callers: Vec<_> = (0..50)
            .map(|_| {
                let refreshing = refreshing.clone();
                tokio::spawn(async move { refreshing.current().await.unwrap() })
            })
            .collect();
        // The current key still holds: the callers that did not take the
        // refresh go on with it instead of waiting.
        tokio::task::yield_now().await;
        service.gate.add_permits(1000);
        let mut keys = Vec::new();
        for caller in callers {
            keys.push(caller.await.unwrap().access_key_id.clone());
        }
        assert_eq!(refreshing.fetches(), 2, "a single refresh");
        assert!(
            keys.iter()
                .all(|k| k == "STS.key0001" || k == "STS.key0002")
        );
        assert_eq!(
            refreshing.current().await.unwrap().access_key_id,
            "STS.key0002"
        );
    }

    #[tokio::test]
    async fn expired_credentials_make_everyone_wait_for_one_refresh() {
        let (refreshing, service, _) = refreshing(10);
        refreshing.current().await.unwrap();
        advance(&service, 11);
        let callers: Vec<_> = (0..20)
            .map(|_| {
                let refreshing = refreshing.clone();
                tokio::spawn(async move { refreshing.current().await.unwrap() })
            })
            .collect();
        for caller in callers {
            assert_eq!(caller.await.unwrap().access_key_id, "STS.key0002");
        }
        assert_eq!(refreshing.fetches(), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_current_credentials_until_they_expire() {
        let (refreshing, service, _) = refreshing(100);
        let first = refreshing.current().await.unwrap();
        advance(&service, 90);
        *service.failing.lock().unwrap() = true;
        assert!(Arc::ptr_eq(&refreshing.current().await.unwrap(), &first));
        // Not tried again within the second.
        assert!(Arc::ptr_eq(&refreshing.current().await.unwrap(), &first));
        assert_eq!(refreshing.fetches(), 2);
        advance(&service, 11);
        let err = refreshing.current().await.unwrap_err();
        assert!(err.is_transient(), "{err}");
        *service.failing.lock().unwrap() = false;
        assert_eq!(
            refreshing.current().await.unwrap().access_key_id,
            "STS.key0002"
        );
    }

    #[tokio::test]
    async fn a_refusal_as_expired_refreshes_once_for_everyone_refused() {
        let (refreshing, _, _) = refreshing(3600);
        let stale = refreshing.current().await.unwrap();
        let fresh = refreshing.refresh_after_expired(&stale).await.unwrap();
        assert_eq!(fresh.access_key_id, "STS.key0002");
        // Another request signed with the stale key, refused later: it gets
        // the new key, not a third one.
        let again = refreshing.refresh_after_expired(&stale).await.unwrap();
        assert!(Arc::ptr_eq(&again, &fresh));
        assert_eq!(refreshing.fetches(), 2);
    }
}
