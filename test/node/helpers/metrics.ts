/**
 * Reads the server's `/metrics`: each sample by its series (name and labels as printed, e.g.
 * `crm_dependency_up{dependency="redis"}`), comments left out.
 */
export async function scrapeMetrics(
  base: string,
  headers: Record<string, string> = {},
): Promise<Map<string, number>> {
  const res = await fetch(`http://${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** The dependency and readiness gauges of `/metrics`, for a `deepEqual`. */
export async function readiness(base: string): Promise<Record<string, number | undefined>> {
  const samples = await scrapeMetrics(base);
  return {
    ready: samples.get('crm_ready'),
    database: samples.get('crm_dependency_up{dependency="database"}'),
    redis: samples.get('crm_dependency_up{dependency="redis"}'),
  };
}
