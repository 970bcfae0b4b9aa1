'use strict';
// Shared state and helpers of the patched emulator (see README.md in tests/e2e).

class ApiError extends Error {
  constructor(code, description, parameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}

const badRequest = (what) => new ApiError(400, `Bad Request: ${what}`);
const nowSecs = () => Math.floor(Date.now() / 1000);
const toSecs = (t) => (typeof t === 'number' && t > 1e11 ? Math.floor(t / 1000) : t);
const num = (v) => (v === undefined || v === null || v === '' ? undefined : Number(v));
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function parseJson(v, name) {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

function newState() {
  return {
    chats: new Map(), // chat id -> Chat
    users: new Map(), // user id -> User
    members: new Map(), // "chat:user" -> ChatMember status
    topics: new Map(), // chat id -> Map(thread id -> topic)
    files: new Map(), // file_id -> stored file
    commands: new Map(), // scope/language key -> BotCommand[]
    answers: new Map(), // callback_query_id -> answerCallbackQuery params
    faults: [],
    calls: [],
    counts: {},
    confirmed: new Map(), // token -> lowest update id not yet confirmed
    versions: new Map(), // chat id -> bumped on every bot message add/edit/delete
    webhookLog: [], // {token, update_id, status, attempts, error}
  };
}

function botUser(token) {
  const id = Number(String(token).split(':')[0]);
  return {
    id: Number.isSafeInteger(id) && id > 0 ? id : 666,
    is_bot: true,
    first_name: 'Kefu Test Bot',
    username: 'kefu_test_bot',
  };
}

// Known chat, or a lenient default: negative ids are supergroups, positive ones private chats.
function chatFor(state, chatId) {
  if (chatId === undefined || chatId === null || chatId === '') throw badRequest('chat_id is empty');
  const key = String(chatId);
  if (!state.chats.has(key)) {
    const id = Number(chatId);
    if (!Number.isFinite(id)) throw badRequest('chat not found');
    state.chats.set(key, id < 0
      ? { id, type: 'supergroup', title: `Group ${id}` }
      : { id, type: 'private', first_name: `User ${id}` });
  }
  return state.chats.get(key);
}

function userFor(state, userId) {
  const key = String(userId);
  return state.users.get(key) || { id: Number(userId), is_bot: false, first_name: `User ${key}` };
}

function topicsOf(state, chatId) {
  const key = String(chatId);
  if (!state.topics.has(key)) state.topics.set(key, new Map());
  return state.topics.get(key);
}

// Wake-up sets: long polls park a resolver here until something happens or time runs out.
function waitFor(waiters, ms, res) {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      waiters.delete(wake);
      if (res) res.off('close', wake);
      resolve();
    };
    const timer = setTimeout(wake, Math.max(0, ms));
    waiters.add(wake);
    if (res) res.once('close', wake);
  });
}

function wakeAll(waiters) {
  for (const wake of [...waiters]) wake();
}

// Long polls on one chat's bot messages (the /_test/botMessages?waitVersion= route).
function botWaiters(server, chatId) {
  const key = String(chatId);
  if (!server.kefuBotWaiters.has(key)) server.kefuBotWaiters.set(key, new Set());
  return server.kefuBotWaiters.get(key);
}

function bumpChat(server, chatId) {
  const state = server.kefu;
  const key = String(chatId);
  state.versions.set(key, (state.versions.get(key) || 0) + 1);
  wakeAll(botWaiters(server, key));
}

function storeFile(server, { data, mime, filename }, kind) {
  const n = server.kefuFileSeq++;
  const ext = filename && filename.includes('.') ? filename.slice(filename.lastIndexOf('.')) : '';
  const file = {
    file_id: `e2e-${kind}-${n}`,
    file_unique_id: `u${n}`,
    file_size: data.length,
    file_path: `${kind}s/file_${n}${ext || (kind === 'photo' ? '.jpg' : '')}`,
    file_name: filename,
    mime_type: mime,
    data,
  };
  server.kefu.files.set(file.file_id, file);
  return file;
}

function photoSizes(file) {
  const { file_id, file_unique_id, file_size } = file;
  return [{ file_id, file_unique_id, file_size, width: 320, height: 320 }];
}

function documentOf(file) {
  const { file_id, file_unique_id, file_size, file_name, mime_type } = file;
  return { file_id, file_unique_id, file_size, file_name, mime_type };
}

module.exports = {
  ApiError,
  badRequest,
  botUser,
  botWaiters,
  bumpChat,
  chatFor,
  documentOf,
  newState,
  nowSecs,
  num,
  parseJson,
  photoSizes,
  sleep,
  storeFile,
  toSecs,
  topicsOf,
  userFor,
  waitFor,
  wakeAll,
};
