import type { PrismaClient } from '../../prisma/client';

/**
 * The chain of an invoice: the original at the root, its corrections (and their corrections) below,
 * each with its status; settlement links (ROZ ↔ ZAL) beside them. Read from `invoice_links`.
 */
export interface ChainNode {
  id: string;
  invoiceNumber: string;
  invoiceType: string;
  status: string;
  ksefNumber: string | null;
  issueDate: string;
  grossAmount: string;
  corrections: ChainNode[];
  /** For ROZ / KOR_ROZ: the advance invoices it settles (registry id when known). */
  advanceInvoices: Array<{ number: string; ksefNumber: string | null; id: string | null; status: string | null }>;
  /** For ZAL: the settlement invoices that list it. */
  settledBy: Array<{ id: string; invoiceNumber: string; status: string }>;
}

const MAX_DEPTH = 50;
const select = { id: true, invoiceNumber: true, invoiceType: true, status: true, ksefNumber: true, issueDate: true, grossAmount: true } as const;

export async function invoiceChain(prisma: PrismaClient, id: string): Promise<{ requested: string; root: ChainNode }> {
  let rootId = id;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const up = await prisma.invoiceLink.findFirst({ where: { fromId: rootId, kind: 'CORRECTS', targetId: { not: null } }, orderBy: { createdAt: 'asc' } });
    if (!up?.targetId || up.targetId === id) break;
    rootId = up.targetId;
  }
  const seen = new Set<string>();
  const build = async (nodeId: string, depth: number): Promise<ChainNode | null> => {
    if (seen.has(nodeId) || depth > MAX_DEPTH) return null;
    seen.add(nodeId);
    const row = await prisma.invoice.findUnique({ where: { id: nodeId }, select });
    if (!row) return null;
    const [down, advances, settledBy] = await Promise.all([
      prisma.invoiceLink.findMany({ where: { targetId: nodeId, kind: 'CORRECTS' }, orderBy: { createdAt: 'asc' } }),
      prisma.invoiceLink.findMany({ where: { fromId: nodeId, kind: 'SETTLES' }, orderBy: { targetNumber: 'asc' } }),
      prisma.invoiceLink.findMany({ where: { targetId: nodeId, kind: 'SETTLES' } }),
    ]);
    const related = await prisma.invoice.findMany({
      where: { id: { in: [...advances.map((a) => a.targetId), ...settledBy.map((s) => s.fromId)].filter((x): x is string => !!x) } },
      select: { id: true, invoiceNumber: true, status: true },
    });
    const byId = new Map(related.map((r) => [r.id, r]));
    const corrections: ChainNode[] = [];
    for (const link of down) {
      const child = await build(link.fromId, depth + 1);
      if (child) corrections.push(child);
    }
    return {
      id: row.id,
      invoiceNumber: row.invoiceNumber,
      invoiceType: row.invoiceType,
      status: row.status,
      ksefNumber: row.ksefNumber,
      issueDate: row.issueDate.toISOString().slice(0, 10),
      grossAmount: row.grossAmount.toFixed(2),
      corrections,
      advanceInvoices: advances.map((a) => ({
        number: a.targetNumber,
        ksefNumber: a.targetKsefNumber,
        id: a.targetId,
        status: a.targetId ? (byId.get(a.targetId)?.status ?? null) : null,
      })),
      settledBy: settledBy.flatMap((s) => {
        const r = byId.get(s.fromId);
        return r ? [{ id: r.id, invoiceNumber: r.invoiceNumber, status: r.status }] : [];
      }),
    };
  };
  const root = await build(rootId, 0);
  return { requested: id, root: root! };
}
