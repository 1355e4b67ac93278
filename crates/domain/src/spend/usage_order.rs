//! An org's usage lists its members and models by what they spent, largest first, so the top
//! spenders lead; ties go by the member's id or the model's name, so a page reads the same twice.

use crate::ports::{UsageLine, UsageSummary};

/// Puts both of `summary`'s lists in usage order.
pub fn largest_first(summary: &mut UsageSummary) {
    sort(&mut summary.by_member);
    sort(&mut summary.by_model);
}

fn sort<K: Ord>(lines: &mut [UsageLine<K>]) {
    lines.sort_by(|a, b| b.cost.cmp(&a.cost).then(a.key.cmp(&b.key)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, cost: i64) -> UsageLine<Option<String>> {
        UsageLine {
            key: Some(key.to_owned()),
            cost,
            prompt_tokens: 0,
            completion_tokens: 0,
        }
    }

    #[test]
    fn the_largest_spender_leads_and_ties_go_by_name() {
        let mut summary = UsageSummary {
            by_model: vec![line("b", 5), line("c", 9), line("a", 5)],
            ..UsageSummary::default()
        };
        largest_first(&mut summary);
        let order: Vec<&str> = summary
            .by_model
            .iter()
            .filter_map(|line| line.key.as_deref())
            .collect();
        assert_eq!(order, ["c", "a", "b"]);
    }
}
