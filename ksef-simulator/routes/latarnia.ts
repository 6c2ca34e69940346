import { Router } from 'express';
import { z } from 'zod';
import { LATARNIA_STATUSES, type EventCategory } from '../availability';
import type { SimulatorContext } from '../context';

/** MF's availability service ("Latarnia"): the official `status` and `messages` resources. */
export function latarniaRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  router.get('/status', (_req, res) => void res.json(ctx.state.availability.statusBody()));
  router.get('/messages', (_req, res) => void res.json(ctx.state.availability.allMessages()));
  return router;
}

const category = z.enum(['MAINTENANCE', 'FAILURE', 'TOTAL_FAILURE']);
const eventInput = z
  .object({
    category,
    start: z.iso.datetime({ offset: true }).optional(),
    end: z.iso.datetime({ offset: true }).nullish(),
    title: z.string().min(1).max(500).optional(),
    text: z.string().max(5000).optional(),
    apiAvailable: z.boolean().optional(),
  })
  .strict()
  .refine((e) => !e.start || !e.end || Date.parse(e.end) > Date.parse(e.start), { message: 'end must be after start', path: ['end'] });

/** PUT: "this is the status now" — ends what goes on, starts one event unless AVAILABLE; or announces `events`. */
const boardUpdate = z
  .object({
    status: z.enum(LATARNIA_STATUSES).optional(),
    title: z.string().min(1).max(500).optional(),
    text: z.string().max(5000).optional(),
    apiAvailable: z.boolean().optional(),
    events: z.array(eventInput).max(100).optional(),
  })
  .strict();

const overrideInput = z.union([z.object({ status: z.string().max(200) }).strict(), z.object({ body: z.unknown() }).strict()]);

/** `/_sim/availability…`: announce maintenance windows and failures, end them, or serve an odd answer. */
export function availabilityAdminRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const board = () => ctx.state.availability;
  const bad = (res: import('express').Response, error: z.ZodError) =>
    void res.status(400).json({ error: 'invalid_admin_request', issues: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
  const toEvent = (e: z.infer<typeof eventInput>) => ({
    category: e.category as EventCategory,
    start: e.start ? new Date(e.start) : undefined,
    end: e.end ? new Date(e.end) : null,
    title: e.title,
    text: e.text,
    apiAvailable: e.apiAvailable,
  });

  router.get('/availability', (_req, res) => void res.json(board().describe()));
  router.put('/availability', (req, res) => {
    const parsed = boardUpdate.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error);
    const { status, events, title, text, apiAvailable } = parsed.data;
    if (status) {
      board().endAll();
      if (status !== 'AVAILABLE') board().announce({ category: status, title, text, apiAvailable });
    }
    for (const e of events ?? []) board().announce(toEvent(e));
    ctx.logger.info({ status, events: events?.length ?? 0 }, 'availability changed');
    res.json(board().describe());
  });
  router.delete('/availability', (_req, res) => {
    board().clear();
    res.status(204).end();
  });
  router.post('/availability/events', (req, res) => {
    const parsed = eventInput.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error);
    const event = board().announce(toEvent(parsed.data));
    res.status(201).json(board().describe().events.find((e) => e.eventId === event.eventId));
  });
  router.post('/availability/events/:eventId/end', (req, res) => {
    const parsed = z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict().safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error);
    const id = Number(req.params.eventId);
    const event = Number.isSafeInteger(id) ? board().end(id, parsed.data.at ? new Date(parsed.data.at) : undefined) : undefined;
    if (!event) return void res.status(404).json({ error: 'unknown_event', eventId: req.params.eventId });
    res.json(board().describe().events.find((e) => e.eventId === event.eventId));
  });
  router.put('/availability/override', (req, res) => {
    const parsed = overrideInput.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error);
    board().override = parsed.data;
    res.json(board().describe());
  });
  router.delete('/availability/override', (_req, res) => {
    board().override = null;
    res.status(204).end();
  });
  return router;
}
