//! Where a build starts and how the sync branch moves (PRODUCT.md "Sync" steps 1 and 5).
//!
//! A commit is the bot's when it carries the `Amplication-Build` trailer. Commits a person
//! pushed to the sync branch are never thrown away: the build stacks on them, or merges the
//! base in first; only a branch holding nothing but bot commits is rebuilt from the base.

use gix::ObjectId;
use serde::Serialize;

use super::message;
use crate::manifest::model::BranchMode;
use crate::providers::BranchState;

/// How this build starts, decided from the refs alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Start {
    /// No sync branch yet: start from the base tip, create the branch.
    Create {
        #[serde(serialize_with = "crate::providers::hex")]
        base_tip: ObjectId,
    },
    /// The branch contains the base tip: stack one more commit on it.
    Stack {
        #[serde(serialize_with = "crate::providers::hex")]
        tip: ObjectId,
    },
    /// The branch lags the base and holds only bot commits: rebuild from the base tip.
    Rebuild {
        #[serde(serialize_with = "crate::providers::hex")]
        base_tip: ObjectId,
        #[serde(serialize_with = "crate::providers::hex")]
        old_tip: ObjectId,
    },
    /// The branch lags the base and holds a person's commits: merge the base in first.
    MergeBase {
        #[serde(serialize_with = "crate::providers::hex")]
        tip: ObjectId,
        #[serde(serialize_with = "crate::providers::hex")]
        base_tip: ObjectId,
        person_commits: usize,
    },
}

pub fn decide(mode: BranchMode, state: &BranchState) -> Start {
    let Some(tip) = state.branch_tip else {
        return Start::Create { base_tip: state.base_tip };
    };
    if mode == BranchMode::PerBuild {
        // A per-build branch name is new for every build; an existing one is a rerun.
        return if state.contains_base {
            Start::Stack { tip }
        } else {
            Start::Rebuild { base_tip: state.base_tip, old_tip: tip }
        };
    }
    if state.contains_base {
        return Start::Stack { tip };
    }
    let person_commits = state.own_commits.iter().filter(|c| message::build_id_of(&c.message).is_none()).count();
    if person_commits == 0 {
        Start::Rebuild { base_tip: state.base_tip, old_tip: tip }
    } else {
        Start::MergeBase { tip, base_tip: state.base_tip, person_commits }
    }
}

/// The branch name of a build in `per-build` mode.
pub fn per_build_branch(prefix: &str, build_id: &str) -> String {
    format!("{prefix}-build-{build_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::CommitSummary;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    fn commit(n: u8, msg: &str) -> CommitSummary {
        CommitSummary { id: id(n), message: msg.into(), time: 0 }
    }

    #[test]
    fn decisions() {
        let base = |tip, contains, own: Vec<CommitSummary>| BranchState {
            base_tip: id(1),
            branch_tip: tip,
            contains_base: contains,
            own_commits: own,
        };
        assert_eq!(decide(BranchMode::Accumulate, &base(None, false, vec![])), Start::Create { base_tip: id(1) });
        assert_eq!(decide(BranchMode::Accumulate, &base(Some(id(2)), true, vec![])), Start::Stack { tip: id(2) });
        let bot = commit(3, "Build\n\nAmplication-Build: 7\n");
        assert_eq!(
            decide(BranchMode::Accumulate, &base(Some(id(2)), false, vec![bot.clone()])),
            Start::Rebuild { base_tip: id(1), old_tip: id(2) }
        );
        assert_eq!(
            decide(BranchMode::Accumulate, &base(Some(id(2)), false, vec![bot, commit(4, "My fix")])),
            Start::MergeBase { tip: id(2), base_tip: id(1), person_commits: 1 }
        );
    }
}
