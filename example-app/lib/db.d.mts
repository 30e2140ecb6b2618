// Types of db.mjs, for the TypeScript route and the tests.
export interface DatabaseOptions {
  /** unset or '': embedded dynalite; 'aws': AWS_REGION's DynamoDB; else a URL */
  endpoint?: string
  table?: string
  region?: string
  /** each DynamoDB call's time to answer (DYNAMODB_TIMEOUT_MS, default 2000); the SDK retries a timeout twice */
  timeoutMs?: number
}
export interface DatabaseInfo {
  endpoint: string
  table: string
  embedded: boolean
}
export interface Task {
  id: string
  title: string
  done: boolean
  createdAt: string
}
export declare function openDatabase(options?: DatabaseOptions): Promise<DatabaseInfo>
export declare function closeDatabase(): Promise<void>
/** Every call takes the request's signal (`request.signal`): aborted, it sends nothing more. */
export interface CallOptions {
  signal?: AbortSignal
}
export declare function saveUser(name: string, password: string, options?: CallOptions): Promise<void>
export declare function checkPassword(name: string, password: string, options?: CallOptions): Promise<string | undefined>
export declare function isTaskId(id: unknown): boolean
export declare function listTasks(user: string, options?: CallOptions): Promise<Task[]>
export declare function getTask(user: string, id: string, options?: CallOptions): Promise<Task | undefined>
export declare function createTask(user: string, fields: { title: string }, options?: CallOptions): Promise<Task>
export declare function updateTask(
  user: string,
  id: string,
  fields: { title: string; done: boolean },
  options?: CallOptions,
): Promise<Task | undefined>
export declare function deleteTask(user: string, id: string, options?: CallOptions): Promise<boolean>
export declare function countAll(options?: CallOptions): Promise<{ users: number; tasks: number; done: number }>
