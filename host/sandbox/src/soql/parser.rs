//! SOQL parsing, with field names checked against the Lead schema as they are read.

use crate::lead_schema::{FieldDefinition, FieldType, LeadSchema};
use crate::soql::SoqlError;
use crate::soql::lexer::{Token, TokenKind, tokenize};
use crate::validation::parse_datetime;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The selected fields, by API name, in SELECT order (empty for `COUNT()`).
    pub fields: Vec<String>,
    /// `SELECT COUNT()`.
    pub count: bool,
    /// The WHERE clause.
    pub condition: Option<Condition>,
    /// The ORDER BY clause.
    pub order: Vec<Ordering>,
    /// LIMIT.
    pub limit: Option<usize>,
    /// OFFSET.
    pub offset: Option<usize>,
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Every one holds.
    All(Vec<Condition>),
    /// At least one holds.
    Any(Vec<Condition>),
    /// It does not hold.
    Not(Box<Condition>),
    /// `field op literal`.
    Compare {
        /// The field's API name.
        field: String,
        /// The operator.
        comparison: Comparison,
        /// The value.
        value: Literal,
    },
    /// `field [NOT] IN (…)`.
    In {
        /// The field's API name.
        field: String,
        /// The values.
        values: Vec<Literal>,
        /// The text values, lower-cased, when every value is text: a lookup per record instead
        /// of a comparison with each value (a client matching 200 e-mail addresses at once
        /// against every Lead).
        texts: Option<std::collections::HashSet<String>>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `field LIKE 'pattern'`.
    Like {
        /// The field's API name.
        field: String,
        /// The pattern with `%` and `_`.
        pattern: String,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `=`
    Equal,
    /// `!=` or `<>`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Boolean(bool),
    /// A number.
    Number(f64),
    /// A quoted string.
    Text(String),
    /// A date, `YYYY-MM-DD`.
    Date(String),
    /// A datetime, in the stored form `YYYY-MM-DDThh:mm:ss.SSS+0000`.
    DateTime(String),
}

/// One ORDER BY item.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordering {
    /// The field's API name.
    pub field: String,
    /// `DESC`.
    pub descending: bool,
    /// Where nulls go (default: first when ascending, last when descending).
    pub nulls_first: bool,
}

/// Parses `text` as a query of Lead.
pub fn parse(text: &str, schema: &LeadSchema) -> Result<Query, SoqlError> {
    if text.trim().is_empty() {
        return Err(SoqlError {
            code: "MALFORMED_QUERY",
            message: "SOQL statements cannot be empty or null".into(),
        });
    }
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        text,
        tokens,
        position: 0,
        schema,
    };
    parser.query()
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    position: usize,
    schema: &'a LeadSchema,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with `End`, and `advance` never moves past it.
        &self.tokens[self.position.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.position < self.tokens.len() - 1 {
            self.position += 1;
        }
        token
    }

    fn unexpected(&self, token: &Token) -> SoqlError {
        SoqlError::unexpected(self.text, token.column, &token.shown())
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), SoqlError> {
        let token = self.advance();
        if token.is_keyword(keyword) {
            Ok(())
        } else {
            Err(self.unexpected(&token))
        }
    }

    fn expect(&mut self, kind: &TokenKind) -> Result<(), SoqlError> {
        let token = self.advance();
        if token.kind == *kind {
            Ok(())
        } else {
            Err(self.unexpected(&token))
        }
    }

    fn query(&mut self) -> Result<Query, SoqlError> {
        self.expect_keyword("SELECT")?;
        let mut count = false;
        let mut names = Vec::new();
        if self.peek().is_keyword("COUNT")
            && self
                .tokens
                .get(self.position + 1)
                .is_some_and(|next| next.kind == TokenKind::Open)
        {
            self.advance();
            self.advance();
            self.expect(&TokenKind::Close)?;
            count = true;
        } else {
            loop {
                let token = self.advance();
                match &token.kind {
                    TokenKind::Word(word) if !is_reserved(word) => names.push((word.clone(), token.column)),
                    _ => return Err(self.unexpected(&token)),
                }
                if self.peek().kind == TokenKind::Comma {
                    self.advance();
                } else {
                    break;
                }
            }
        }
        self.expect_keyword("FROM")?;
        let object = self.advance();
        match &object.kind {
            TokenKind::Word(word) if word.eq_ignore_ascii_case("Lead") => {}
            TokenKind::Word(word) if !is_reserved(word) => {
                return Err(SoqlError::at(
                    "INVALID_TYPE",
                    self.text,
                    object.column,
                    &format!(
                        "sObject type '{word}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
                    ),
                ));
            }
            _ => return Err(self.unexpected(&object)),
        }
        let fields = names
            .iter()
            .map(|(name, column)| self.resolve(name, *column).map(|field| field.name.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut query = Query {
            fields,
            count,
            condition: None,
            order: Vec::new(),
            limit: None,
            offset: None,
        };
        if self.peek().is_keyword("WHERE") {
            self.advance();
            query.condition = Some(self.condition()?);
        }
        if self.peek().is_keyword("ORDER") {
            self.advance();
            self.expect_keyword("BY")?;
            query.order = self.ordering()?;
        }
        if self.peek().is_keyword("LIMIT") {
            self.advance();
            query.limit = Some(self.count_value()?);
        }
        if self.peek().is_keyword("OFFSET") {
            self.advance();
            query.offset = Some(self.count_value()?);
        }
        let last = self.advance();
        if last.kind != TokenKind::End {
            return Err(self.unexpected(&last));
        }
        Ok(query)
    }

    fn count_value(&mut self) -> Result<usize, SoqlError> {
        let token = self.advance();
        match &token.kind {
            TokenKind::Number(number) => number.parse().map_err(|_| self.unexpected(&token)),
            _ => Err(self.unexpected(&token)),
        }
    }

    fn resolve(&self, name: &str, column: usize) -> Result<&FieldDefinition, SoqlError> {
        self.schema
            .field(name)
            .ok_or_else(|| SoqlError::no_such_column(self.text, column, name))
    }

    fn ordering(&mut self) -> Result<Vec<Ordering>, SoqlError> {
        let mut order = Vec::new();
        loop {
            let token = self.advance();
            let TokenKind::Word(name) = &token.kind else {
                return Err(self.unexpected(&token));
            };
            let field = self.resolve(name, token.column)?.name.clone();
            let mut descending = false;
            if self.peek().is_keyword("ASC") {
                self.advance();
            } else if self.peek().is_keyword("DESC") {
                self.advance();
                descending = true;
            }
            let mut nulls_first = !descending;
            if self.peek().is_keyword("NULLS") {
                self.advance();
                let token = self.advance();
                if token.is_keyword("FIRST") {
                    nulls_first = true;
                } else if token.is_keyword("LAST") {
                    nulls_first = false;
                } else {
                    return Err(self.unexpected(&token));
                }
            }
            order.push(Ordering {
                field,
                descending,
                nulls_first,
            });
            if self.peek().kind == TokenKind::Comma {
                self.advance();
            } else {
                return Ok(order);
            }
        }
    }

    /// `term {AND term}` or `term {OR term}`; mixing them without parentheses is an error.
    fn condition(&mut self) -> Result<Condition, SoqlError> {
        let first = self.term()?;
        let joiner = if self.peek().is_keyword("AND") {
            "AND"
        } else if self.peek().is_keyword("OR") {
            "OR"
        } else {
            return Ok(first);
        };
        let mut terms = vec![first];
        loop {
            let token = self.peek().clone();
            if token.is_keyword(joiner) {
                self.advance();
                terms.push(self.term()?);
            } else if token.is_keyword("AND") || token.is_keyword("OR") {
                return Err(self.unexpected(&token));
            } else {
                break;
            }
        }
        Ok(if joiner == "AND" {
            Condition::All(terms)
        } else {
            Condition::Any(terms)
        })
    }

    fn term(&mut self) -> Result<Condition, SoqlError> {
        if self.peek().is_keyword("NOT") {
            self.advance();
            return Ok(Condition::Not(Box::new(self.term()?)));
        }
        if self.peek().kind == TokenKind::Open {
            self.advance();
            let condition = self.condition()?;
            self.expect(&TokenKind::Close)?;
            return Ok(condition);
        }
        let token = self.advance();
        let TokenKind::Word(name) = &token.kind else {
            return Err(self.unexpected(&token));
        };
        if is_reserved(name) {
            return Err(self.unexpected(&token));
        }
        let field = self.resolve(name, token.column)?.clone();
        if !field.filterable {
            return Err(SoqlError::at(
                "INVALID_FIELD",
                self.text,
                token.column,
                &format!("field '{}' can not be filtered in a query call", field.name),
            ));
        }
        let operator = self.advance();
        match &operator.kind {
            TokenKind::Operator(symbol) => {
                let comparison = match symbol.as_str() {
                    "=" => Comparison::Equal,
                    "!=" | "<>" => Comparison::NotEqual,
                    "<" => Comparison::Less,
                    "<=" => Comparison::LessOrEqual,
                    ">" => Comparison::Greater,
                    _ => Comparison::GreaterOrEqual,
                };
                let value = self.literal(&field)?;
                Ok(Condition::Compare {
                    field: field.name.clone(),
                    comparison,
                    value,
                })
            }
            TokenKind::Word(_) if operator.is_keyword("LIKE") => {
                let pattern = self.advance();
                match pattern.kind {
                    TokenKind::Text(pattern) if field.field_type.is_text() => Ok(Condition::Like {
                        field: field.name.clone(),
                        pattern,
                    }),
                    TokenKind::Text(_) => Err(SoqlError::at(
                        "INVALID_FIELD",
                        self.text,
                        token.column,
                        &format!(
                            "invalid operator on {} field: LIKE",
                            field.field_type.describe_name()
                        ),
                    )),
                    _ => Err(self.unexpected(&pattern)),
                }
            }
            TokenKind::Word(_) if operator.is_keyword("IN") || operator.is_keyword("NOT") => {
                let negated = operator.is_keyword("NOT");
                if negated {
                    self.expect_keyword("IN")?;
                }
                self.expect(&TokenKind::Open)?;
                let mut values = vec![self.literal(&field)?];
                while self.peek().kind == TokenKind::Comma {
                    self.advance();
                    values.push(self.literal(&field)?);
                }
                self.expect(&TokenKind::Close)?;
                let texts = values
                    .iter()
                    .map(|value| match value {
                        Literal::Text(text) => Some(text.chars().flat_map(char::to_lowercase).collect()),
                        _ => None,
                    })
                    .collect();
                Ok(Condition::In {
                    field: field.name.clone(),
                    values,
                    texts,
                    negated,
                })
            }
            _ => Err(self.unexpected(&operator)),
        }
    }

    /// A literal, checked against the field's type as Salesforce checks filter values.
    fn literal(&mut self, field: &FieldDefinition) -> Result<Literal, SoqlError> {
        let token = self.advance();
        let mistyped = |expected: &str| {
            SoqlError::at(
                "INVALID_FIELD",
                self.text,
                token.column,
                &format!(
                    "value of filter criterion for field '{}' must be of type {expected}",
                    field.name
                ),
            )
        };
        if token.is_keyword("null") {
            return Ok(Literal::Null);
        }
        match field.field_type {
            FieldType::Boolean => {
                if token.is_keyword("true") {
                    Ok(Literal::Boolean(true))
                } else if token.is_keyword("false") {
                    Ok(Literal::Boolean(false))
                } else {
                    Err(mistyped("boolean and should not be enclosed in quotes"))
                }
            }
            FieldType::Double | FieldType::Currency | FieldType::Int => match &token.kind {
                TokenKind::Number(number) => number
                    .parse()
                    .map(Literal::Number)
                    .map_err(|_| mistyped("double and should not be enclosed in quotes")),
                _ => Err(mistyped("double and should not be enclosed in quotes")),
            },
            FieldType::Date => match &token.kind {
                TokenKind::Number(text) if text.parse::<jiff::civil::Date>().is_ok() => {
                    Ok(Literal::Date(text.clone()))
                }
                _ => Err(mistyped("date and should not be enclosed in quotes")),
            },
            FieldType::DateTime => match &token.kind {
                TokenKind::Number(text) => parse_datetime(text)
                    .map(Literal::DateTime)
                    .ok_or_else(|| mistyped("dateTime and should not be enclosed in quotes")),
                _ => Err(mistyped("dateTime and should not be enclosed in quotes")),
            },
            _ => match &token.kind {
                TokenKind::Text(text) => Ok(Literal::Text(text.clone())),
                TokenKind::Word(_) | TokenKind::Number(_) => {
                    Err(mistyped("string and should be enclosed in quotes"))
                }
                _ => Err(self.unexpected(&token)),
            },
        }
    }
}

/// Keywords that cannot be field names here.
fn is_reserved(word: &str) -> bool {
    [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "ORDER", "BY", "LIMIT", "OFFSET", "LIKE", "IN",
        "GROUP", "HAVING",
    ]
    .iter()
    .any(|keyword| keyword.eq_ignore_ascii_case(word))
}
