//! Keyset pagination: a token names the last row of the previous page, so pages stay stable while
//! rows are added (no OFFSET that shifts under inserts).

use crate::error::{Error, Result};
use crate::rows::Page;

/// The SQL `LIMIT` for a page: one row more than asked, to learn whether another page follows.
/// A page size of 0 is read as 1.
pub(crate) fn limit(page_size: u32) -> i64 {
    i64::from(page_size.max(1)) + 1
}

/// Cuts the extra row off and makes the token for the next page from the last row kept.
pub(crate) fn finish<T>(mut items: Vec<T>, page_size: u32, token: impl Fn(&T) -> String) -> Page<T> {
    let size = page_size.max(1) as usize;
    if items.len() > size {
        items.truncate(size);
        let next_token = items.last().map(token);
        Page { items, next_token }
    } else {
        Page { items, next_token: None }
    }
}

/// The position of an execution in the newest-first listing: (started_at, id), both descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecutionCursor {
    pub started_at: i64,
    pub id: String,
}

impl ExecutionCursor {
    pub(crate) fn encode(started_at: i64, id: &str) -> String {
        format!("{started_at}:{id}")
    }

    pub(crate) fn decode(token: &str) -> Result<ExecutionCursor> {
        let (at, id) = token.split_once(':').ok_or(Error::InvalidToken)?;
        let started_at = at.parse().map_err(|_| Error::InvalidToken)?;
        Ok(ExecutionCursor { started_at, id: id.to_owned() })
    }
}

/// The position of a resource in a listing: `(sort_at, key)`, in the listing's direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceCursor {
    pub sort_at: i64,
    pub key: String,
}

impl ResourceCursor {
    pub(crate) fn encode(sort_at: i64, key: &str) -> String {
        format!("{sort_at}:{key}")
    }

    pub(crate) fn decode(token: &str) -> Result<ResourceCursor> {
        let (at, key) = token.split_once(':').ok_or(Error::InvalidToken)?;
        let sort_at = at.parse().map_err(|_| Error::InvalidToken)?;
        Ok(ResourceCursor { sort_at, key: key.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execution_cursor_round_trips_ids_with_colons() {
        let token = ExecutionCursor::encode(42, "a:b");
        assert_eq!(ExecutionCursor::decode(&token).unwrap(), ExecutionCursor { started_at: 42, id: "a:b".into() });
        assert!(matches!(ExecutionCursor::decode("nope"), Err(Error::InvalidToken)));
    }

    #[test]
    fn finish_emits_a_token_only_when_rows_remain() {
        let page = finish(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_token.as_deref(), Some("2"));
        let page = finish(vec![1, 2], 2, |n| n.to_string());
        assert_eq!(page.next_token, None);
    }
}
