'use strict';
// Bot API methods as PTB 22 expects them. Each handler gets {server, state, token, p, files, res}
// and returns the `result` value, or throws ApiError.
const { TelegramServer } = require('telegram-test-api/lib/telegramServer');
const {
  ApiError, badRequest, botUser, bumpChat, chatFor, documentOf, nowSecs, num, parseJson,
  photoSizes, storeFile, topicsOf, userFor, waitFor,
} = require('./core');

const ICON_COLOR = 7322096;
const NOT_MODIFIED = 'message is not modified: specified new message content and reply markup'
  + ' are exactly the same as a current content and reply markup of the message';

function inlineMarkup(p) {
  const markup = parseJson(p.reply_markup, 'reply_markup');
  if (!markup || !markup.inline_keyboard) return undefined;
  for (const button of markup.inline_keyboard.flat()) {
    const size = Buffer.byteLength(button.callback_data ?? 'x');
    if (size < 1 || size > 64) throw badRequest('BUTTON_DATA_INVALID');
  }
  return markup;
}

function checkThread(state, chat, thread) {
  if (!thread || thread === 1 || !chat.is_forum) return;
  if (!topicsOf(state, chat.id).has(thread)) throw badRequest('message thread not found');
}

function replyTo(server, chatId, p) {
  const params = parseJson(p.reply_parameters, 'reply_parameters') || {};
  const id = num(params.message_id ?? p.reply_to_message_id);
  if (!id) return undefined;
  const all = [...server.storage.userMessages, ...server.storage.botMessages];
  const hit = all.find((u) => u.messageId === id && u.message && !u.callbackQuery);
  if (!hit) throw badRequest('message to be replied not found');
  const msg = hit.formatted || { ...hit.message, message_id: id };
  const { reply_to_message: _nested, botToken: _token, ...flat } = msg;
  return String(flat.chat.id) === String(chatId) ? flat : undefined;
}

// Stores a bot message in the emulator's storage (same shape as addBotMessage) and returns it.
function addBotMessage(ctx, content) {
  const { server, state, token, p } = ctx;
  const chat = chatFor(state, p.chat_id);
  const thread = num(p.message_thread_id);
  checkThread(state, chat, thread);
  const msg = { message_id: server.messageId, from: botUser(token), chat, date: nowSecs() };
  if (thread) Object.assign(msg, { message_thread_id: thread }, chat.is_forum ? { is_topic_message: true } : {});
  Object.assign(msg, content);
  const markup = inlineMarkup(p);
  if (markup) msg.reply_markup = markup;
  const reply = replyTo(server, chat.id, p);
  if (reply) msg.reply_to_message = reply;
  server.storage.botMessages.push({
    time: Date.now(), botToken: token, message: { ...p }, updateId: server.updateId,
    messageId: server.messageId, isRead: false, formatted: msg,
  });
  server.messageId++;
  server.updateId++;
  bumpChat(server, chat.id);
  server.emit('AddedBotMessage');
  return msg;
}

function checkText(text, limit, what) {
  if (text !== undefined && String(text).length > limit) throw badRequest(`message ${what} is too long`);
}

function sendMessage(ctx) {
  const { text } = ctx.p;
  if (!text || !String(text).trim()) throw badRequest('message text is empty');
  if (String(text).length > 4096) throw badRequest('message is too long');
  return addBotMessage(ctx, { text: String(text) });
}

function mediaFile(ctx, field, kind) {
  const { server, state, p, files } = ctx;
  const value = p[field];
  let upload = files[field];
  if (typeof value === 'string' && value.startsWith('attach://')) upload = files[value.slice(9)];
  if (upload) return storeFile(server, upload, kind);
  if (typeof value === 'string' && state.files.has(value)) return state.files.get(value);
  if (typeof value === 'string' && value) {
    return storeFile(server, { data: Buffer.alloc(0), filename: value.split('/').pop() }, kind);
  }
  throw badRequest(`there is no ${field} in the request`);
}

function captionOf(p) {
  checkText(p.caption, 1024, 'caption');
  return p.caption ? { caption: String(p.caption) } : {};
}

const sendPhoto = (ctx) => addBotMessage(ctx, {
  photo: photoSizes(mediaFile(ctx, 'photo', 'photo')), ...captionOf(ctx.p),
});
const sendDocument = (ctx) => addBotMessage(ctx, {
  document: documentOf(mediaFile(ctx, 'document', 'document')), ...captionOf(ctx.p),
});

function getFile({ state, p }) {
  const file = state.files.get(String(p.file_id));
  if (!file) throw badRequest('invalid file_id');
  const { file_id, file_unique_id, file_size, file_path } = file;
  return { file_id, file_unique_id, file_size, file_path };
}

function findBotEntry(server, p) {
  const id = num(p.message_id);
  return server.storage.botMessages.find(
    (e) => e.messageId === id && String(e.message.chat_id) === String(p.chat_id),
  );
}

const contentKey = (m) => JSON.stringify([m.text, m.caption, m.reply_markup]);

// Applies `changes` to a bot message; like Telegram, an absent reply_markup removes the keyboard.
function editMessage(ctx, changes) {
  const { server, p } = ctx;
  if (p.inline_message_id) return true;
  const entry = findBotEntry(server, p);
  if (!entry) throw badRequest('message to edit not found');
  const next = { ...entry.formatted, ...changes, reply_markup: inlineMarkup(p) };
  if (!next.reply_markup) delete next.reply_markup;
  if (contentKey(next) === contentKey(entry.formatted)) throw badRequest(NOT_MODIFIED);
  next.edit_date = nowSecs();
  entry.formatted = next;
  Object.assign(entry.message, p);
  bumpChat(server, next.chat.id);
  server.emit('EditedMessageText');
  return next;
}

function editMessageText(ctx) {
  const { text } = ctx.p;
  if (!text || !String(text).trim()) throw badRequest('message text is empty');
  if (String(text).length > 4096) throw badRequest('MESSAGE_TOO_LONG');
  const entry = ctx.p.inline_message_id ? null : findBotEntry(ctx.server, ctx.p);
  if (entry && entry.formatted.text === undefined) throw badRequest('there is no text in the message to edit');
  return editMessage(ctx, { text: String(text) });
}

const editMessageCaption = (ctx) => editMessage(ctx, { caption: captionOf(ctx.p).caption });
const editMessageReplyMarkup = (ctx) => editMessage(ctx, {});

function deleteMessage({ server, p }) {
  const id = num(p.message_id);
  const chat = String(p.chat_id);
  const bot = server.storage.botMessages;
  const i = bot.findIndex((e) => e.messageId === id && String(e.message.chat_id) === chat);
  if (i !== -1) {
    bot.splice(i, 1);
    bumpChat(server, chat);
    return true;
  }
  const user = server.storage.userMessages;
  const j = user.findIndex((u) => u.message && u.messageId === id && String(u.message.chat.id) === chat);
  if (j === -1) throw badRequest('message to delete not found');
  user.splice(j, 1);
  return true;
}

function answerCallbackQuery({ server, state, p }) {
  const id = String(p.callback_query_id);
  const known = server.storage.userMessages.some((u) => u.callbackQuery && String(u.callbackId) === id);
  if (!known || state.answers.has(id)) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  const { text, show_alert: showAlert, url, cache_time: cacheTime } = p;
  state.answers.set(id, { text, show_alert: showAlert === 'true' || showAlert === true, url, cache_time: num(cacheTime) });
  return true;
}

// ---- getUpdates: offset confirms, timeout long-polls -------------------------------------

function updateKind(update) {
  return update.callbackQuery ? 'callback_query' : 'message';
}

function pendingUpdates(server, token, limit, allowed) {
  const from = server.kefu.confirmed.get(token) || 0;
  return server.storage.userMessages
    .filter((u) => u.botToken === token && u.updateId >= from && !u.webhookDelivered)
    .filter((u) => !allowed || !allowed.length || allowed.includes(updateKind(u)))
    .slice(0, limit)
    .map((u) => TelegramServer.formatUpdate(u));
}

async function getUpdates({ server, token, p, res }) {
  if (server.webhooks[token]) {
    throw new ApiError(409, 'Conflict: can\'t use getUpdates method while webhook is active;'
      + ' use deleteWebhook to delete the webhook first');
  }
  const offset = num(p.offset);
  const { confirmed } = server.kefu;
  if (offset > 0) confirmed.set(token, Math.max(confirmed.get(token) || 0, offset));
  const limit = Math.min(Math.max(num(p.limit) || 100, 1), 100);
  const allowed = parseJson(p.allowed_updates, 'allowed_updates');
  const deadline = Date.now() + Math.min(num(p.timeout) || 0, 50) * 1000;
  let closed = false;
  res.once('close', () => { closed = true; });
  let updates = pendingUpdates(server, token, limit, allowed);
  while (!updates.length && !closed && Date.now() < deadline) {
    await waitFor(server.kefuUserWaiters, deadline - Date.now(), res);
    updates = pendingUpdates(server, token, limit, allowed);
  }
  return updates;
}

function deleteWebhook({ server, token, p }) {
  if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') {
    server.kefu.confirmed.set(token, server.updateId);
  }
  server.deleteWebhook(token);
  return true;
}

// The webhook itself is delivered by patch.js (addUserUpdate); here it is only stored.
function setWebhook({ server, token, p }) {
  const url = String(p.url || '');
  if (!url) return deleteWebhook({ server, token, p });
  if (!/^https?:\/\/[^/]+/.test(url)) throw badRequest('bad webhook: invalid URL');
  const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
  if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw badRequest('bad webhook: secret token contains unallowed characters');
  }
  if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') {
    server.kefu.confirmed.set(token, server.updateId);
  }
  const allowed = parseJson(p.allowed_updates, 'allowed_updates');
  server.setWebhook({ url, secret_token: secret, allowed_updates: allowed }, token);
  return true;
}

function getWebhookInfo({ server, token }) {
  const hook = server.webhooks[token];
  const pending = pendingUpdates(server, token, 1e9, null).length;
  return { url: hook ? hook.url : '', has_custom_certificate: false, pending_update_count: pending };
}

// ---- commands ---------------------------------------------------------------------------

function commandsKey(p) {
  const scope = parseJson(p.scope, 'scope') || { type: 'default' };
  return `${JSON.stringify(scope)}|${p.language_code || ''}`;
}

function setMyCommands({ state, p }) {
  const commands = parseJson(p.commands, 'commands');
  if (!Array.isArray(commands) || commands.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
  for (const c of commands) {
    if (!/^[a-z0-9_]{1,32}$/.test(c.command || '')) throw badRequest('BOT_COMMAND_INVALID');
    if (!c.description || c.description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
  }
  state.commands.set(commandsKey(p), commands);
  return true;
}

const deleteMyCommands = ({ state, p }) => state.commands.delete(commandsKey(p)) || true;
const getMyCommands = ({ state, p }) => state.commands.get(commandsKey(p)) || [];

// ---- forum topics -----------------------------------------------------------------------

function createForumTopic({ server, state, p }) {
  const chat = chatFor(state, p.chat_id);
  if (!chat.is_forum) throw badRequest('the chat is not a forum');
  if (!p.name || String(p.name).length > 128) throw badRequest('TOPIC_NAME_INVALID');
  const topic = {
    message_thread_id: server.messageId++,
    name: String(p.name),
    icon_color: num(p.icon_color) || ICON_COLOR,
  };
  if (p.icon_custom_emoji_id) topic.icon_custom_emoji_id = String(p.icon_custom_emoji_id);
  topicsOf(state, chat.id).set(topic.message_thread_id, { ...topic, is_closed: false });
  return topic;
}

function topicFor({ state, p }) {
  const chat = chatFor(state, p.chat_id);
  if (!chat.is_forum) throw badRequest('the chat is not a forum');
  const topic = topicsOf(state, chat.id).get(num(p.message_thread_id));
  if (!topic) throw badRequest('TOPIC_ID_INVALID');
  return topic;
}

function editForumTopic(ctx) {
  const topic = topicFor(ctx);
  const before = JSON.stringify(topic);
  if (ctx.p.name) topic.name = String(ctx.p.name);
  if (ctx.p.icon_custom_emoji_id !== undefined) topic.icon_custom_emoji_id = ctx.p.icon_custom_emoji_id;
  if (JSON.stringify(topic) === before) throw badRequest('TOPIC_NOT_MODIFIED');
  return true;
}

function setClosed(ctx, closed) {
  const topic = topicFor(ctx);
  if (topic.is_closed === closed) throw badRequest('TOPIC_NOT_MODIFIED');
  topic.is_closed = closed;
  return true;
}

// Deleting a topic deletes every message in it.
function removeTopic(ctx) {
  const { server, state, p } = ctx;
  const topic = topicFor(ctx);
  topicsOf(state, p.chat_id).delete(topic.message_thread_id);
  server.storage.botMessages = server.storage.botMessages.filter((e) => !(
    String(e.message.chat_id) === String(p.chat_id)
    && e.formatted.message_thread_id === topic.message_thread_id));
  bumpChat(server, p.chat_id);
  return true;
}

const deleteForumTopic = removeTopic;

// ---- chats and members ------------------------------------------------------------------

const ADMIN_RIGHTS = {
  can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true,
  can_manage_video_chats: true, can_restrict_members: true, can_promote_members: false,
  can_change_info: true, can_invite_users: true, can_post_stories: false,
  can_edit_stories: false, can_delete_stories: false, can_pin_messages: true,
  can_manage_topics: true,
};
const RESTRICTIONS = Object.fromEntries([
  'can_send_messages', 'can_send_audios', 'can_send_documents', 'can_send_photos',
  'can_send_videos', 'can_send_video_notes', 'can_send_voice_notes', 'can_send_polls',
  'can_send_other_messages', 'can_add_web_page_previews', 'can_change_info',
  'can_invite_users', 'can_pin_messages', 'can_manage_topics', 'can_edit_tag',
  'can_react_to_messages',
].map((k) => [k, false]));
const MEMBER_FIELDS = {
  creator: { is_anonymous: false },
  administrator: ADMIN_RIGHTS,
  member: {},
  restricted: { is_member: true, until_date: 0, ...RESTRICTIONS },
  left: {},
  kicked: { until_date: 0 },
};

function getChatMember({ state, token, p }) {
  chatFor(state, p.chat_id);
  const userId = num(p.user_id);
  const bot = botUser(token);
  const fallback = userId === bot.id ? 'administrator' : 'left';
  const status = state.members.get(`${p.chat_id}:${userId}`) || fallback;
  const user = userId === bot.id ? bot : userFor(state, userId);
  return { status, user, ...MEMBER_FIELDS[status] };
}

const GIFTS = {
  unlimited_gifts: false, limited_gifts: false, unique_gifts: false,
  premium_subscription: false, gifts_from_channels: false,
};

function getChat({ state, p }) {
  const chat = chatFor(state, p.chat_id);
  return { ...chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: GIFTS };
}

function sendChatAction({ state, p }) {
  chatFor(state, p.chat_id);
  if (!p.action) throw badRequest('action is empty');
  return true;
}

const getMe = ({ token }) => ({
  ...botUser(token), can_join_groups: true, can_read_all_group_messages: false,
  supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false,
});

const METHODS = {
  getMe,
  getUpdates,
  deleteWebhook,
  setWebhook,
  getWebhookInfo,
  sendMessage,
  sendPhoto,
  sendDocument,
  getFile,
  editMessageText,
  editMessageCaption,
  editMessageReplyMarkup,
  deleteMessage,
  answerCallbackQuery,
  sendChatAction,
  setMyCommands,
  deleteMyCommands,
  getMyCommands,
  createForumTopic,
  editForumTopic,
  closeForumTopic: (ctx) => setClosed(ctx, true),
  reopenForumTopic: (ctx) => setClosed(ctx, false),
  deleteForumTopic,
  getChatMember,
  getChat,
};

// Telegram method names are case-insensitive.
const BOT_METHODS = Object.fromEntries(Object.entries(METHODS).map(([k, v]) => [k.toLowerCase(), v]));
const PASS_THROUGH = new Set(); // methods left to the original package

module.exports = {
  BOT_METHODS, PASS_THROUGH, ApiError, MEMBER_FIELDS, deleteMessage, pendingUpdates, removeTopic,
};
