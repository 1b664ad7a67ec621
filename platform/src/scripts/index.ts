export { assertScriptSize, checkScript, scriptTypes, type WorkspaceScriptTypes } from './service.ts';
export { scriptRoutes } from './routes.ts';
