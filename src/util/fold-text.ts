// One folding for every search by name or school (dashboard, CLI filters, the plan's action index), so "Zoë",
// "ZOE" and "zoe" find the same person or school wherever an admin types them.

/** Case and accents do not matter when looking for "Zoë" or "zoe". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}
