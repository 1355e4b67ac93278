//! Reading an answer's body up to a cap: a larger one is abandoned (its connection dropped) as soon
//! as the cap is passed, so a hostile server cannot make Tenantry hold more than the cap.

/// Why a body was not read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Longer than the cap.
    TooLarge,
    /// The connection failed or timed out.
    Transport(reqwest::Error),
}

/// The body, if it is at most `cap` bytes.
pub(crate) async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
