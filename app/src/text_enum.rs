//! Enums kept as lowercase text (in the database, JSON and URLs) and shown
//! to people by a label: a course's difficulty, a learner's level.

/// Declares such an enum with its `ALL` values, `as_str`, `label`,
/// `Display` (the text) and `from_text` (any letter case, surrounding spaces
/// ignored, as people type it); each type adds its own `FromStr` error.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident = $text:literal, $label:literal;)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The value used in the database, in JSON and in URLs.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The name shown to people.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            fn from_text(text: &str) -> Option<Self> {
                let wanted = text.trim();
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str().eq_ignore_ascii_case(wanted))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;
