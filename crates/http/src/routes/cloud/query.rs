//! Query strings as OpenHands clients send them: ids repeated (`?id=a&id=b`), pages as
//! `page_id` + `limit`.

use tenantry_domain::DomainError;

/// Most ids one batch read may name.
pub(crate) const MAX_BATCH: usize = 100;

/// Every value of `name` in the query string, in order; more than [`MAX_BATCH`] is 400.
pub(crate) fn repeated(query: &str, name: &str) -> Result<Vec<String>, DomainError> {
    let values: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .collect();
    if values.len() > MAX_BATCH {
        return Err(DomainError::invalid(
            name,
            format!("at most {MAX_BATCH} ids at once, got {}", values.len()),
        ));
    }
    Ok(values)
}

/// The single value of `name`, if any.
pub(crate) fn single(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The page length a query asks for (`limit`, 1 to 100, default 100; else 422).
pub(crate) fn limit(query: &str) -> Result<usize, DomainError> {
    match single(query, "limit") {
        None => Ok(100),
        Some(limit) => limit
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=100).contains(limit))
            .ok_or_else(|| DomainError::invalid("limit", "must be 1 to 100")),
    }
}

/// A page: where it starts (`page_id`, an offset this server handed out) and how long it is
/// (`limit`, 1 to 100, default 100).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

impl Page {
    pub(crate) fn of(query: &str) -> Result<Self, DomainError> {
        let offset = match single(query, "page_id").filter(|page| !page.is_empty()) {
            None => 0,
            Some(page) => page
                .parse()
                .map_err(|_| DomainError::invalid("page_id", "must be a page id this server returned"))?,
        };
        Ok(Self {
            offset,
            limit: limit(query)?,
        })
    }

    /// This page of `items`, and the id of the next page when there is one.
    pub(crate) fn cut<T>(self, items: Vec<T>) -> (Vec<T>, Option<String>) {
        let total = items.len();
        let page: Vec<T> = items.into_iter().skip(self.offset).take(self.limit).collect();
        let next = (self.offset + page.len() < total).then(|| (self.offset + page.len()).to_string());
        (page, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_ids_keep_their_order() {
        assert_eq!(repeated("id=b&x=1&id=a", "id").expect("ids"), ["b", "a"]);
        let many = (0..101).map(|n| format!("id={n}")).collect::<Vec<_>>().join("&");
        assert!(repeated(&many, "id").is_err());
    }

    #[test]
    fn pages_cut_and_point_at_the_next() {
        let page = Page::of("limit=2").expect("page");
        assert_eq!(page.cut(vec![1, 2, 3]), (vec![1, 2], Some("2".to_owned())));
        let next = Page::of("limit=2&page_id=2").expect("page");
        assert_eq!(next.cut(vec![1, 2, 3]), (vec![3], None));
        assert!(Page::of("limit=0").is_err());
        assert!(Page::of("limit=101").is_err());
        assert!(Page::of("page_id=abc").is_err());
    }
}
