//! A scoring rule built against `leadgate:plugin@9.0.0`, a contract no host has shipped: the host
//! must refuse it by name and version, not fail somewhere deep in linking.

wit_bindgen::generate!({
    inline: "
        package leadgate:plugin@9.0.0;

        interface scoring {
            score-batch: func(contact-ids: list<string>, now: s64) -> list<s64>;
        }

        world scoring-rule {
            export scoring;
        }
    ",
});

struct FutureRule;

impl exports::leadgate::plugin::scoring::Guest for FutureRule {
    fn score_batch(contact_ids: Vec<String>, _now: i64) -> Vec<i64> {
        contact_ids.iter().map(|_| 1).collect()
    }
}

export!(FutureRule);
