//! One record per request, for whoever wants a log (the `aicall emulator`
//! command prints them to stderr). A record holds no parameter, header,
//! signature or secret: only what happened.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The HTTP method.
    pub method: String,
    /// The action, when it named one of the six.
    pub action: Option<&'static str>,
    /// The HTTP status; `None` when the reply was dropped on purpose.
    pub status: Option<u16>,
    /// The reply's `Code`.
    pub code: String,
    /// Time from receipt to reply (latency injection included).
    pub duration: Duration,
}

impl fmt::Display for RequestRecord {
    /// `CreateAiCallTask 200 OK 1.2ms`; `-` stands for an unknown action,
    /// `---` for a dropped reply.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = self.action.unwrap_or("-");
        match self.status {
            Some(status) => write!(f, "{} {action} {status} {}", self.method, self.code)?,
            None => write!(f, "{} {action} --- {}", self.method, self.code)?,
        }
        write!(f, " {:.1}ms", self.duration.as_secs_f64() * 1000.0)
    }
}

/// Where records go: a callback run after each request.
#[derive(Clone)]
pub struct RequestLog(Arc<dyn Fn(&RequestRecord) + Send + Sync>);

impl RequestLog {
    /// Calls `sink` with every record.
    pub fn new(sink: impl Fn(&RequestRecord) + Send + Sync + 'static) -> RequestLog {
        RequestLog(Arc::new(sink))
    }

    pub(crate) fn record(&self, record: &RequestRecord) {
        (self.0)(record);
    }
}

impl fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestLog(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_without_parameters() {
        let record = RequestRecord {
            method: "POST".into(),
            action: Some("CreateAiCallTask"),
            status: Some(200),
            code: "OK".into(),
            duration: Duration::from_micros(1_250),
        };
        assert_eq!(record.to_string(), "POST CreateAiCallTask 200 OK 1.2ms");
        let dropped = RequestRecord {
            status: None,
            code: "reply dropped (fault injection)".into(),
            ..record
        };
        assert_eq!(
            dropped.to_string(),
            "POST CreateAiCallTask --- reply dropped (fault injection) 1.2ms"
        );
    }
}
