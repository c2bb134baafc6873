import { rank, type Status } from '../status.js';

/**
 * What the reconciler's rules say of one side's value against the hub's (see `rule` in
 * reconcile/plan.ts): it is the hub's; it is news and would win; the hub has heard of it; both
 * moved and rank decides for or against it; or a fact is missing. Overtaken: it would win against
 * the hub, but the other side's line holds it and moved on from it (see heldOnOther).
 */
export type SideRuling = 'agree' | 'news' | 'heard' | 'rank-wins' | 'rank-loses' | 'overtaken' | { unknown: string };

export type Choice = { status: Status; why: string } | { leave: string };

/** Whether a side's value would win against the hub's: news, or both moved and its rank is the higher. */
export const wins = (r: SideRuling) => r === 'news' || r === 'rank-wins';

/**
 * The status a contested line takes, as the reconciler would settle it after the merge: a side
 * whose value is news beats one the hub has heard of; neither news, the hub's value; both news
 * (two people changed it), the higher rank, reported as decided by rank. A tie between two news
 * values, neither the hub's, or a side whose facts are missing, is left to the person merging.
 */
export function chooseStatus(ours: Status, theirs: Status, hub: Status, rulings: { ours: SideRuling; theirs: SideRuling }): Choice {
  for (const side of ['ours', 'theirs'] as const) {
    const ruling = rulings[side];
    if (typeof ruling === 'object') return { leave: `${side}: ${ruling.unknown}` };
  }
  const oursWins = wins(rulings.ours);
  const theirsWins = wins(rulings.theirs);
  if (oursWins && theirsWins) {
    if (rank(ours) === rank(theirs)) return { leave: `both sides changed it since the hub last heard (${ours}, ${theirs}), with the same rank` };
    const status = rank(ours) > rank(theirs) ? ours : theirs;
    return { status, why: `both sides changed it since the hub last heard: the higher rank won (C-22)` };
  }
  if (oursWins || theirsWins) {
    const ruling = oursWins ? rulings.ours : rulings.theirs;
    const status = oursWins ? ours : theirs;
    if (rulings[oursWins ? 'theirs' : 'ours'] === 'overtaken') return { status, why: `${oursWins ? 'ours' : 'theirs'} moved on from the other side's value` };
    if (ruling === 'rank-wins') return { status, why: `it and the hub both moved: the higher rank won (C-22)` };
    return { status, why: `${oursWins ? 'ours' : 'theirs'} is news to the hub` };
  }
  if (rulings.ours === 'rank-loses' || rulings.theirs === 'rank-loses')
    return { status: hub, why: "it and the hub both moved: the hub's value, of higher rank or a tie (C-22)" };
  return { status: hub, why: "neither side is news to the hub: the hub's value" };
}
