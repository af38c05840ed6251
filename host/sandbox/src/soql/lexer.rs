//! SOQL tokens, each with the 1-based character column it starts at.

use crate::soql::SoqlError;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    /// A name or keyword (keywords are matched without regard to case).
    Word(String),
    /// A quoted string, unescaped.
    Text(String),
    /// A number, date or datetime literal, as written.
    Number(String),
    /// `,`
    Comma,
    /// `(`
    Open,
    /// `)`
    Close,
    /// A comparison operator.
    Operator(String),
    /// The end of the query.
    End,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) column: usize,
}

impl Token {
    /// The token as an error message shows it.
    pub(super) fn shown(&self) -> String {
        match &self.kind {
            TokenKind::Word(word) => word.clone(),
            TokenKind::Text(text) => format!("'{text}'"),
            TokenKind::Number(number) => number.clone(),
            TokenKind::Comma => ",".into(),
            TokenKind::Open => "(".into(),
            TokenKind::Close => ")".into(),
            TokenKind::Operator(operator) => operator.clone(),
            TokenKind::End => "<EOF>".into(),
        }
    }

    /// Whether this is the keyword `keyword`.
    pub(super) fn is_keyword(&self, keyword: &str) -> bool {
        matches!(&self.kind, TokenKind::Word(word) if word.eq_ignore_ascii_case(keyword))
    }
}

/// Splits a query into tokens, ending with [`TokenKind::End`].
pub(super) fn tokenize(query: &str) -> Result<Vec<Token>, SoqlError> {
    let characters: Vec<char> = query.chars().collect();
    let mut tokens = Vec::new();
    let mut position = 0;
    while position < characters.len() {
        let character = characters[position];
        let column = position + 1;
        let next = characters.get(position + 1).copied();
        let kind = if character.is_whitespace() {
            position += 1;
            continue;
        } else if character == ',' {
            position += 1;
            TokenKind::Comma
        } else if character == '(' {
            position += 1;
            TokenKind::Open
        } else if character == ')' {
            position += 1;
            TokenKind::Close
        } else if character == '\'' {
            let (text, end) = read_text(&characters, position, query)?;
            position = end;
            TokenKind::Text(text)
        } else if matches!(character, '=' | '<' | '>' | '!') {
            let operator = match (character, next) {
                ('!', Some('=')) | ('<', Some('=')) | ('>', Some('=')) | ('<', Some('>')) => {
                    position += 2;
                    format!("{character}{}", next.unwrap_or_default())
                }
                ('!', _) => return Err(SoqlError::unexpected(query, column, "!")),
                _ => {
                    position += 1;
                    character.to_string()
                }
            };
            TokenKind::Operator(operator)
        } else if character.is_ascii_digit()
            || (matches!(character, '-' | '+' | '.') && next.is_some_and(|next| next.is_ascii_digit()))
        {
            let start = position;
            position += 1;
            while position < characters.len()
                && (characters[position].is_ascii_alphanumeric()
                    || matches!(characters[position], '-' | '+' | ':' | '.'))
            {
                position += 1;
            }
            TokenKind::Number(characters[start..position].iter().collect())
        } else if character.is_alphabetic() || character == '_' {
            let start = position;
            while position < characters.len()
                && (characters[position].is_alphanumeric() || matches!(characters[position], '_' | '.'))
            {
                position += 1;
            }
            TokenKind::Word(characters[start..position].iter().collect())
        } else {
            return Err(SoqlError::unexpected(query, column, &character.to_string()));
        };
        tokens.push(Token { kind, column });
    }
    tokens.push(Token {
        kind: TokenKind::End,
        column: characters.len() + 1,
    });
    Ok(tokens)
}

/// Reads a quoted string starting at the quote; returns the text and the position after it.
fn read_text(characters: &[char], start: usize, query: &str) -> Result<(String, usize), SoqlError> {
    let mut text = String::new();
    let mut position = start + 1;
    while let Some(&character) = characters.get(position) {
        match character {
            '\'' => return Ok((text, position + 1)),
            '\\' => {
                let escaped = characters.get(position + 1).copied();
                match escaped {
                    Some('n') => text.push('\n'),
                    Some('t') => text.push('\t'),
                    Some('r') => text.push('\r'),
                    // `\%` and `\_` keep their backslash: they mean a literal % or _ in LIKE.
                    Some(symbol @ ('%' | '_')) => {
                        text.push('\\');
                        text.push(symbol);
                    }
                    Some(other) => text.push(other),
                    None => break,
                }
                position += 2;
            }
            other => {
                text.push(other);
                position += 1;
            }
        }
    }
    Err(SoqlError::at(
        "MALFORMED_QUERY",
        query,
        start + 1,
        "line 1:0 mismatched character '<EOF>' expecting '''",
    ))
}
