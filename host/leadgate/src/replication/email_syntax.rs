//! E-mail addresses as Salesforce accepts them in an `email` field.
//!
//! Salesforce is stricter than what imports accept: the local part (before `@`) must be ASCII
//! (`zoë.1@example.com` is refused with `INVALID_EMAIL_ADDRESS`), while the domain may be an
//! internationalised name. Checking it here keeps such a contact from costing an API call.

/// The characters besides ASCII letters and digits a local part may contain.
const LOCAL_PART_SYMBOLS: &str = "!#$%&'*+/=?^_`{|}~.-";

/// True when Salesforce would take `address` in an e-mail field: an ASCII local part of
/// letters, digits and the usual symbols, without a leading, trailing or doubled dot; a domain
/// of at least two labels of letters, digits and inner hyphens.
pub fn is_salesforce_email(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || LOCAL_PART_SYMBOLS.contains(character));
    let mut labels = 0;
    let domain_ok = domain.split('.').all(|label| {
        labels += 1;
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|character| character.is_alphanumeric() || character == '-')
    });
    local_ok && domain_ok && labels >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_pass() {
        for address in [
            "jane.doe+leads@example.co.uk",
            "a@b.io",
            "o'brien@example.com",
            "x@bücher.example",
        ] {
            assert!(is_salesforce_email(address), "{address}");
        }
    }

    #[test]
    fn what_salesforce_refuses_is_refused() {
        for address in [
            "zoë.1@example.com",
            "abc",
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@-x.com",
            "a..b@example.com",
            ".a@example.com",
            "a@example..com",
            "a@b@example.com",
        ] {
            assert!(!is_salesforce_email(address), "{address}");
        }
    }
}
