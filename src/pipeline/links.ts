/**
 * The page of a deployment under `IGOR_PUBLIC_URL`, for links in messages: a person can open it
 * (it asks for the API token when one is set), unlike the JSON of `/api/deployments/:id`.
 * With `step`, the page opens that step's log.
 */
export function deploymentPageUrl(publicUrl: string, id: string, step?: string): string {
  return `${publicUrl}/console/deployments/${encodeURIComponent(id)}${step ? `#log-${encodeURIComponent(step)}` : ''}`;
}
