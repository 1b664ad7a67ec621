import { createRoute } from '@hono/zod-openapi';
import {
  Approval,
  ApprovalAction,
  ApprovalDelegation,
  ApprovalList,
  ApprovalListQuery,
  CreateDelegation,
  DelegationList,
  IdParam,
  RecordApprovals,
  RecordParams,
  SubmitApproval,
} from '../contracts/index.ts';
import { body, errors, json, router, secured, userCtx } from '../http/route-helpers.ts';
import { actOnApproval } from './actions.ts';
import { createDelegation, deleteDelegation, listDelegations } from './delegations.ts';
import { submitForApproval } from './submit.ts';
import { getApproval, listApprovals, recordApprovals } from './view.ts';

const tags = ['Approvals'];
const one = '/api/v1/approvals/{id}';
const delegations = '/api/v1/approvals/delegations';

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/v1/approvals',
    tags,
    security: secured,
    summary: 'My approvals: pending (mine to decide), done (I decided) or submitted (by me), newest first',
    request: { query: ApprovalListQuery },
    responses: { 200: json(ApprovalList, 'Approvals'), ...errors(401) },
  }),
  submit: createRoute({
    method: 'post',
    path: '/api/v1/approvals',
    tags,
    security: secured,
    summary: "Submit a record for approval: starts its object's approval flow (a manual flow whose first step is an approval); the record's owner or whoever may modify all its records",
    request: { body: body(SubmitApproval) },
    responses: { 201: json(Approval, 'The approval, just submitted'), ...errors(401, 403, 404, 409) },
  }),
  delegations: createRoute({ method: 'get', path: delegations, tags, security: secured, summary: 'My delegations that have not ended', responses: { 200: json(DelegationList, 'Delegations'), ...errors(401) } }),
  delegate: createRoute({
    method: 'post',
    path: delegations,
    tags,
    security: secured,
    summary: 'While I am away (startsAt to endsAt), my approvals go to someone else; my open tasks move to her when it begins',
    request: { body: body(CreateDelegation) },
    responses: { 201: json(ApprovalDelegation, 'The delegation'), ...errors(401) },
  }),
  undelegate: createRoute({ method: 'delete', path: `${delegations}/{id}`, tags, security: secured, summary: 'End a delegation of mine (admins: anyone\'s)', request: { params: IdParam }, responses: { 204: { description: 'Ended' }, ...errors(401, 404) } }),
  get: createRoute({
    method: 'get',
    path: one,
    tags,
    security: secured,
    summary: 'An approval with its levels, tasks, history, summary fields and what I may do (its submitter, anyone it asked, readers of its record)',
    request: { params: IdParam },
    responses: { 200: json(Approval, 'The approval'), ...errors(401, 404) },
  }),
  act: createRoute({
    method: 'post',
    path: `${one}/actions`,
    tags,
    security: secured,
    summary: 'Act on an approval: approve, reject (with a reason), return, transfer, add a signer, resubmit, recall, comment, urge',
    request: { params: IdParam, body: body(ApprovalAction) },
    responses: { 200: json(Approval, 'The approval after the action'), ...errors(401, 403, 404, 409, 429) },
  }),
  ofRecord: createRoute({
    method: 'get',
    path: '/api/v1/objects/{object}/records/{id}/approvals',
    tags,
    security: secured,
    summary: "A record's approvals, newest first",
    request: { params: RecordParams },
    responses: { 200: json(RecordApprovals, 'Approvals'), ...errors(401, 404) },
  }),
};

export function approvalRoutes() {
  const app = router();
  app.openapi(routes.list, async (c) => c.json(await listApprovals(userCtx(c), c.req.valid('query')), 200));
  app.openapi(routes.submit, async (c) => {
    const ctx = userCtx(c);
    return c.json(await getApproval(ctx, await submitForApproval(ctx, c.req.valid('json'))), 201);
  });
  // Before `/approvals/{id}`, which would take "delegations" for an id.
  app.openapi(routes.delegations, async (c) => c.json(await listDelegations(userCtx(c)), 200));
  app.openapi(routes.delegate, async (c) => c.json(await createDelegation(userCtx(c), c.req.valid('json')), 201));
  app.openapi(routes.undelegate, async (c) => {
    await deleteDelegation(userCtx(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(routes.get, async (c) => c.json(await getApproval(userCtx(c), c.req.valid('param').id), 200));
  app.openapi(routes.act, async (c) => c.json(await actOnApproval(userCtx(c), c.req.valid('param').id, c.req.valid('json')), 200));
  app.openapi(routes.ofRecord, async (c) => {
    const { object, id } = c.req.valid('param');
    return c.json(await recordApprovals(userCtx(c), object, id), 200);
  });
  return app;
}
