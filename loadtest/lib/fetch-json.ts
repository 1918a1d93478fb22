/** One HTTP request with a timeout; the answer's status and body (parsed JSON, or the text where it is not JSON). */
export const fetchJson = async (url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: response.status, body }
}
