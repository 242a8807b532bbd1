//! The gateway's rate-limit headers (`aiccs-api.md` §8):
//! `x-ratelimit-user-api` (this operation, this account) and
//! `x-ratelimit-user` (this account), each shaped
//! `Limit:N,Remain:R,TimeLeft:MS,Reset:EPOCH_MS`.
//!
//! Only `Remain` and `TimeLeft` are used: the window `Limit` counts over
//! is not stated, so it is no rate. Alibaba's SDK core waits the larger
//! `TimeLeft` of the two headers; so does aicall.

use std::time::Duration;

use super::super::retry::MAX_RETRY_AFTER;

/// The header for one operation of one account.
pub const USER_API: &str = "x-ratelimit-user-api";
/// The header for the whole account.
pub const USER: &str = "x-ratelimit-user";

/// One rate-limit header, read leniently: unknown keys are ignored, keys
/// in any case, spaces allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// `Limit`: requests allowed per window.
    pub limit: Option<u64>,
    /// `Remain`: requests left in the window.
    pub remain: Option<u64>,
    /// `TimeLeft`: until the window frees up.
    pub time_left: Option<Duration>,
}

impl RateLimit {
    /// Reads one header value; `None` if it names none of the keys.
    pub fn parse(value: &str) -> Option<RateLimit> {
        let mut header = RateLimit::default();
        for pair in value.split(',') {
            let Some((key, number)) = pair.split_once(':') else {
                continue;
            };
            let Ok(number) = number.trim().parse::<u64>() else {
                continue;
            };
            match key.trim().to_ascii_lowercase().as_str() {
                "limit" => header.limit = Some(number),
                "remain" => header.remain = Some(number),
                "timeleft" => header.time_left = Some(Duration::from_millis(number)),
                _ => {}
            }
        }
        (header != RateLimit::default()).then_some(header)
    }

    /// How long to send nothing more, given this header on a reply that
    /// was `throttled` or not: `TimeLeft` on a throttle, or on any reply
    /// that says nothing remains; capped like `x-acs-retry-after`.
    pub fn wait(&self, throttled: bool) -> Option<Duration> {
        let exhausted = throttled || self.remain == Some(0);
        self.time_left
            .filter(|left| exhausted && !left.is_zero())
            .map(|left| left.min(MAX_RETRY_AFTER))
    }
}

/// The wait both headers of one reply ask for: the larger one.
pub fn wait(values: [Option<&str>; 2], throttled: bool) -> Option<Duration> {
    values
        .into_iter()
        .flatten()
        .filter_map(RateLimit::parse)
        .filter_map(|header| header.wait(throttled))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_shape_is_read() {
        let header = RateLimit::parse("Limit:100,Remain:0,TimeLeft:734,Reset:1767225600734");
        assert_eq!(
            header,
            Some(RateLimit {
                limit: Some(100),
                remain: Some(0),
                time_left: Some(Duration::from_millis(734)),
            })
        );
        assert_eq!(
            RateLimit::parse(" limit : 5 , timeleft: 20 ,junk, Other:1").and_then(|h| h.time_left),
            Some(Duration::from_millis(20))
        );
        assert_eq!(RateLimit::parse("nonsense"), None);
        assert_eq!(RateLimit::parse(""), None);
    }

    #[test]
    fn time_left_is_a_wait_on_a_throttle_or_when_nothing_remains() {
        let left = |remain: u64| RateLimit {
            limit: Some(100),
            remain: Some(remain),
            time_left: Some(Duration::from_millis(300)),
        };
        assert_eq!(left(0).wait(false), Some(Duration::from_millis(300)));
        assert_eq!(left(5).wait(false), None);
        assert_eq!(left(5).wait(true), Some(Duration::from_millis(300)));
        let far = RateLimit {
            time_left: Some(Duration::from_secs(3600)),
            ..left(0)
        };
        assert_eq!(far.wait(true), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn the_larger_of_both_headers_wins() {
        let api = "Limit:100,Remain:0,TimeLeft:120,Reset:1";
        let user = "Limit:1000,Remain:0,TimeLeft:450,Reset:1";
        assert_eq!(
            wait([Some(api), Some(user)], true),
            Some(Duration::from_millis(450))
        );
        assert_eq!(
            wait([Some(api), None], true),
            Some(Duration::from_millis(120))
        );
        assert_eq!(wait([None, None], true), None);
    }
}
