//! The activity kinds, declared once: [`ActivityKindView`] and [`STANDARD_ACTIVITY_KINDS`] are
//! both generated from the one list below, so a kind's name cannot differ between them.

/// Declares the standard kinds: the enum's cases, their names and the name table.
macro_rules! standard_activity_kinds {
    ($($(#[doc = $doc:literal])* $case:ident = $name:literal,)*) => {
        /// What kind of thing a contact did, as stored: a standard kind, or a custom kind by
        /// name (borrowed from the stored record).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ActivityKindView<'a> {
            $($(#[doc = $doc])* $case,)*
            /// Any other kind, by name.
            Custom(&'a str),
        }

        /// The activity kinds with a name of their own in the plugin contract, in its order.
        pub const STANDARD_ACTIVITY_KINDS: [&str; [$($name),*].len()] = [$($name),*];

        impl<'a> ActivityKindView<'a> {
            /// The kind a stored kind name stands for.
            pub fn from_name(name: &'a str) -> Self {
                match name {
                    $($name => Self::$case,)*
                    custom => Self::Custom(custom),
                }
            }

            /// The kind's name, as stored and imported.
            pub fn name(self) -> &'a str {
                match self {
                    $(Self::$case => $name,)*
                    Self::Custom(name) => name,
                }
            }
        }
    };
}

standard_activity_kinds! {
    /// Bought something.
    Purchase = "purchase",
    /// Viewed a page.
    PageVisit = "page-visit",
    /// Submitted a form.
    FormSubmission = "form-submission",
    /// Opened a marketing e-mail.
    EmailOpen = "email-open",
    /// Clicked a link in a marketing e-mail.
    EmailClick = "email-click",
    /// Registered for or attended an event.
    EventAttendance = "event-attendance",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for name in STANDARD_ACTIVITY_KINDS.into_iter().chain(["webinar-replay"]) {
            assert_eq!(ActivityKindView::from_name(name).name(), name);
        }
        assert_eq!(
            ActivityKindView::from_name("webinar"),
            ActivityKindView::Custom("webinar")
        );
        assert_eq!(
            ActivityKindView::from_name("page-visit"),
            ActivityKindView::PageVisit
        );
        assert_eq!(STANDARD_ACTIVITY_KINDS.len(), 6);
    }
}
