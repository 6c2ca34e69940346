import { contentHash } from '../../domain/identity';
import type { Invoice } from '../../domain/invoice';
import type { PrismaClient } from '../../prisma/client';
import { checkInvoiceReferences, type ReferenceCheck } from './references';

export function createCorrectionActivities(deps: { prisma: PrismaClient }) {
  return {
    /** Resolve and store the references of a correction / settlement invoice (idempotent upserts). */
    async checkInvoiceReferences(input: { registryId: string; invoice: Invoice; approvalThresholdGross: string | null }): Promise<ReferenceCheck & { completedContentHash: string | null }> {
      const check = await checkInvoiceReferences(deps.prisma, input);
      return { ...check, completedContentHash: check.completed ? contentHash(check.completed) : null };
    },
  };
}

export type CorrectionActivities = ReturnType<typeof createCorrectionActivities>;
