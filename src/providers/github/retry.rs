//! When and how long to retry a GitHub request: the one place that decides.
//!
//! Retried: transport errors (connection refused, reset, dropped), 5xx, and rate limits
//! (429, or 403 with `retry-after`, `x-ratelimit-remaining: 0` or a "rate limit" message).
//! Rate limits wait what GitHub asks (`retry-after`, else until `x-ratelimit-reset`);
//! everything else backs off exponentially. Both are bounded: a number of attempts and a
//! total wait, so a run never hangs for an hour on an exhausted quota. Pure: no I/O here.

use std::time::Duration;

/// Retry limits. `from_env` reads `AMPSYNC_GITHUB_RETRIES` / `AMPSYNC_GITHUB_MAX_WAIT` (seconds),
/// documented in the README, so CI can bound a run.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// First backoff for 5xx and transport errors; doubles per attempt.
    pub base: Duration,
    /// The longest single wait for a rate limit; a longer one fails at once.
    pub max_wait: Duration,
    /// The total a request may spend waiting, over all its retries.
    pub budget: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            attempts: 5,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(120),
            budget: Duration::from_secs(300),
        }
    }
}

impl Policy {
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Policy {
        let mut p = Policy::default();
        if let Some(n) = get("AMPSYNC_GITHUB_RETRIES").and_then(|v| v.parse::<u32>().ok()) {
            p.attempts = n.max(1);
        }
        if let Some(s) = get("AMPSYNC_GITHUB_MAX_WAIT").and_then(|v| v.parse::<u64>().ok()) {
            p.max_wait = Duration::from_secs(s);
            p.budget = p.budget.min(Duration::from_secs(s.saturating_mul(3)));
        }
        p
    }
}

/// What came back from one attempt, as far as retrying is concerned.
#[derive(Debug, Clone)]
pub enum Attempt<'a> {
    Transport,
    Status {
        code: u16,
        retry_after: Option<&'a str>,
        remaining: Option<&'a str>,
        reset: Option<&'a str>,
        message: &'a str,
    },
}

/// The decision after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not retryable (a success or a client error): hand it to the caller.
    Done,
    /// Wait this long, then try again.
    Retry(Duration),
    /// Retryable, but the attempts or the wait budget are spent.
    GiveUp(&'static str),
}

/// Whether a response is a rate limit (primary or secondary).
pub fn is_rate_limit(code: u16, retry_after: Option<&str>, remaining: Option<&str>, message: &str) -> bool {
    code == 429
        || (code == 403
            && (retry_after.is_some()
                || remaining.is_some_and(|r| r.trim() == "0")
                || message.to_ascii_lowercase().contains("rate limit")))
}

/// Decides after attempt number `attempt` (1-based), having waited `waited` so far.
pub fn decide(policy: &Policy, attempt: u32, waited: Duration, outcome: &Attempt<'_>, now_epoch: i64) -> Decision {
    let wait = match outcome {
        Attempt::Transport => backoff(policy, attempt),
        Attempt::Status { code, retry_after, remaining, reset, message } => {
            if is_rate_limit(*code, *retry_after, *remaining, message) {
                let asked = retry_after
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .or_else(|| {
                        let reset = (*reset)?.trim().parse::<i64>().ok()?;
                        Some(Duration::from_secs((reset - now_epoch).max(1) as u64))
                    })
                    // A secondary limit without headers: GitHub asks for at least a minute; start smaller.
                    .unwrap_or_else(|| backoff(policy, attempt).max(Duration::from_secs(1)));
                if asked > policy.max_wait {
                    return Decision::GiveUp("GitHub asks to wait longer than `AMPSYNC_GITHUB_MAX_WAIT` allows");
                }
                asked
            } else if (500..=599).contains(code) {
                backoff(policy, attempt)
            } else {
                return Decision::Done;
            }
        }
    };
    if attempt >= policy.attempts {
        return Decision::GiveUp("the retry attempts are spent");
    }
    if waited + wait > policy.budget {
        return Decision::GiveUp("the retry wait budget is spent");
    }
    Decision::Retry(wait)
}

fn backoff(policy: &Policy, attempt: u32) -> Duration {
    policy.base.saturating_mul(1u32 << attempt.saturating_sub(1).min(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status<'a>(
        code: u16,
        retry_after: Option<&'a str>,
        remaining: Option<&'a str>,
        reset: Option<&'a str>,
    ) -> Attempt<'a> {
        Attempt::Status { code, retry_after, remaining, reset, message: "" }
    }

    #[test]
    fn server_errors_and_transport_back_off_exponentially() {
        let p = Policy::default();
        assert_eq!(decide(&p, 1, Duration::ZERO, &status(502, None, None, None), 0), Decision::Retry(p.base));
        assert_eq!(decide(&p, 3, Duration::ZERO, &Attempt::Transport, 0), Decision::Retry(p.base * 4));
        assert!(matches!(decide(&p, 5, Duration::ZERO, &status(503, None, None, None), 0), Decision::GiveUp(_)));
    }

    #[test]
    fn client_errors_are_not_retried() {
        let p = Policy::default();
        for code in [200, 201, 204, 401, 404, 409, 422] {
            assert_eq!(decide(&p, 1, Duration::ZERO, &status(code, None, None, None), 0), Decision::Done, "{code}");
        }
        // A 403 without rate-limit signs is a permission problem.
        assert_eq!(decide(&p, 1, Duration::ZERO, &status(403, None, Some("4999"), None), 0), Decision::Done);
    }

    #[test]
    fn rate_limits_wait_what_github_asks_within_bounds() {
        let p = Policy::default();
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &status(429, Some("3"), None, None), 0),
            Decision::Retry(Duration::from_secs(3))
        );
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &status(403, None, Some("0"), Some("1010")), 1000),
            Decision::Retry(Duration::from_secs(10))
        );
        let secondary = Attempt::Status {
            code: 403,
            retry_after: None,
            remaining: None,
            reset: None,
            message: "You have exceeded a secondary rate limit.",
        };
        assert!(matches!(decide(&p, 1, Duration::ZERO, &secondary, 0), Decision::Retry(_)));
        // An hour-long reset is not waited for.
        assert!(matches!(
            decide(&p, 1, Duration::ZERO, &status(403, None, Some("0"), Some("4600")), 1000),
            Decision::GiveUp(_)
        ));
        // Nor is a wait past the budget.
        assert!(matches!(
            decide(&p, 2, p.budget - Duration::from_secs(1), &status(429, Some("5"), None, None), 0),
            Decision::GiveUp(_)
        ));
    }

    #[test]
    fn env_overrides() {
        let p = Policy::from_env(|k| match k {
            "AMPSYNC_GITHUB_RETRIES" => Some("2".into()),
            "AMPSYNC_GITHUB_MAX_WAIT" => Some("5".into()),
            _ => None,
        });
        assert_eq!(p.attempts, 2);
        assert_eq!(p.max_wait, Duration::from_secs(5));
        assert_eq!(p.budget, Duration::from_secs(15));
    }
}
