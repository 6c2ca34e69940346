import { Router } from 'express';
import { z } from 'zod';
import { lineText } from '../../domain/text';
import { isValidNip } from '../../domain/nip';
import type { PrismaClient } from '../../prisma/client';
import { actorOf } from '../actor';
import { auditRequest } from '../auth/audit';
import { newApiKey, sha256Hex } from '../auth/tokens';
import { ProblemError } from '../problem';
import { parseOrProblem, uuidParam } from '../validation';
import { parseQueryOrProblem, QueryParam } from '../registry/query';

export const CreateKey = z
  .object({
    name: lineText(200),
    sourceSystem: lineText(100),
    sellerNips: z.array(z.string().refine(isValidNip, 'is not a valid NIP')).min(1).max(1000),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
const view = { id: true, name: true, sourceSystem: true, sellerNips: true, prefix: true, createdBy: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true, revokedBy: true } as const;

/**
 * Admin: source-system API keys. Several live keys per source system let a key be rotated without
 * downtime: create the new one, switch the system over, watch lastUsedAt of the old one, revoke it.
 */
export function apiKeyRoutes(deps: { prisma: PrismaClient }): Router {
  const { prisma } = deps;
  const router = Router();

  router.get('/', async (req, res) => {
    const { sourceSystem } = parseQueryOrProblem(z.strictObject({ sourceSystem: QueryParam.text(100).optional() }), req.query, { blankIsAbsent: true });
    res.json({ items: await prisma.apiKey.findMany({ where: { sourceSystem }, select: view, orderBy: { createdAt: 'desc' } }) });
  });

  router.post('/', async (req, res) => {
    const body = parseOrProblem(CreateKey, req.body, 'API key');
    const { key, prefix } = newApiKey();
    const created = await prisma.apiKey.create({
      data: { name: body.name, sourceSystem: body.sourceSystem, sellerNips: [...new Set(body.sellerNips)], prefix, keyHash: sha256Hex(key), createdBy: actorOf(req), expiresAt: body.expiresAt ? new Date(body.expiresAt) : null },
      select: view,
    });
    await auditRequest(prisma, req, 'api-key.create', 'api-key', created.id, 'created', { prefix, sourceSystem: created.sourceSystem, sellerNips: created.sellerNips });
    // The key itself is shown once; only its hash is stored.
    res.status(201).json({ ...created, key });
  });

  const revoke = async (req: import('express').Request, res: import('express').Response) => {
    const existing = await prisma.apiKey.findUnique({ where: { id: uuidParam(req.params.id, 'an API key id') }, select: view });
    if (!existing) throw new ProblemError(404, 'KSEFOPS_API_KEY_NOT_FOUND', 'Not found', `No API key with id ${req.params.id}.`);
    const revoked = existing.revokedAt
      ? existing
      : await prisma.apiKey.update({ where: { id: existing.id }, data: { revokedAt: new Date(), revokedBy: actorOf(req) }, select: view });
    await auditRequest(prisma, req, 'api-key.revoke', 'api-key', existing.id, existing.revokedAt ? 'already-revoked' : 'revoked', { prefix: existing.prefix, sourceSystem: existing.sourceSystem });
    res.json(revoked);
  };
  router.post('/:id/revoke', revoke);
  router.delete('/:id', revoke);

  return router;
}
