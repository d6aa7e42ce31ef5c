import { PROJECTS } from '../../scenarios/generators/index.ts';
import { scansPerProject } from '../../scenarios/index.ts';
import { num, type PanelContext } from './panel-context.ts';
import type { S1Panel } from './types.ts';

/**
 * The default monthly scan quota of a project without one in the dashboard options.
 *
 * @example
 * ```ts
 * const quota = REFERENCE_QUOTAS[projectId] ?? DEFAULT_QUOTA;
 * ```
 */
export const DEFAULT_QUOTA = 120;

/**
 * Monthly scan quotas of the reference projects (the busiest get more).
 *
 * @example
 * ```ts
 * REFERENCE_QUOTAS.atlas; // 300
 * ```
 */
export const REFERENCE_QUOTAS: Readonly<Record<string, number>> = {
  atlas: 300,
  borealis: 250,
  cygnus: 200,
};

/**
 * S1: each project's scans and bytes this month (America/New_York), against its quota.
 *
 * @example
 * ```ts
 * (await s1Panel(ctx)).projects[0]; // { projectId: "atlas", scans: 120, bytes: 9.1e6, quota: 300, percent: 40 }
 * ```
 */
export async function s1Panel(ctx: PanelContext): Promise<S1Panel> {
  const r = await ctx.query.totalMany(
    scansPerProject,
    PROJECTS.map((p) => ({ projectId: p.id })),
    { calendar: 'month', at: ctx.at },
  );
  ctx.cost(r);
  const projects = r.results.map((x) => {
    const projectId = String(x.group.projectId);
    const quota = ctx.quotas[projectId] ?? REFERENCE_QUOTAS[projectId] ?? DEFAULT_QUOTA;
    const scans = num(x.values.scans);
    return {
      projectId,
      scans,
      bytes: num(x.values.bytes),
      quota,
      percent: Math.round((scans / quota) * 1000) / 10,
    };
  });
  return { window: r.window.description, month: (r.window.fromIso ?? '').slice(0, 7), projects };
}
