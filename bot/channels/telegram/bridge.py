"""The Telegram bridge: relays chats between Telegram and Rasa's REST channel.

``sportello telegram`` runs it in the foreground: long polling by default, or a webhook
when ``TELEGRAM_WEBHOOK_URL`` is set (``webhook``). Its configuration is the app's settings
(``TELEGRAM_*``, ``RASA_URL``, ``RASA_TIMEOUT``). Each Telegram user is the Rasa sender
``telegram-<user id>``. Replies go out as plain text (no parse mode, so nothing
in them can break Telegram's Markdown), buttons as an inline keyboard.

When the bot asked for a password or a code, the user's next message is deleted from the
chat once read; no message text is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import typer
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from actions import contract
from backend import bootstrap, documents, logs, metrics
from backend.errors import InvalidInput
from backend.settings import Settings, get_settings
from bot.channels.telegram.rasa_client import (
    CallbackPayloads,
    RasaClient,
    RasaUnavailable,
    split_text,
)

log = logging.getLogger(__name__)

APOLOGY = (
    "Mi dispiace, in questo momento non riesco a risponderti. "
    "Riprova tra qualche minuto: il tuo messaggio non è stato elaborato."
)
SECRET_DELETED = "Ho cancellato il tuo messaggio perché conteneva un dato riservato."
STALE_BUTTON = "Questo pulsante non è più valido: scrivimi cosa ti serve."
DOWNLOAD_FAILED = "Non riesco a ricevere il documento: riprova tra poco."
CANNOT_READ = (
    "Posso leggere solo messaggi scritti, oppure una foto o un PDF quando ti chiedo un documento."
)
UNSUPPORTED = (
    filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.LOCATION
    | filters.CONTACT
)
# What the commands say to the bot.
COMMANDS = {"start": "/greet", "aiuto": "/greet", "annulla": "annulla"}
# chat_data keys: the bot's last reply asked for a secret; one lock per chat keeps order.
SECRET_NEXT, CHAT_LOCK = "secret_next", "lock"


class Bridge:
    """What the handlers share: the Rasa client and the long-payload table."""

    def __init__(self, rasa: RasaClient):
        self.rasa = rasa
        self.payloads = CallbackPayloads()


def _bridge(context: ContextTypes.DEFAULT_TYPE) -> Bridge:
    return context.bot_data["bridge"]


def _lock(context: ContextTypes.DEFAULT_TYPE) -> asyncio.Lock:
    return context.chat_data.setdefault(CHAT_LOCK, asyncio.Lock())


def sender_id(update: Update) -> str:
    """The Rasa conversation of a Telegram user."""
    return contract.sender_id(contract.TELEGRAM, update.effective_user.id)


async def relay(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Sends one message to Rasa and its answer to the chat; the caller holds the chat lock."""
    bridge, chat_id = _bridge(context), update.effective_chat.id
    metrics.MESSAGES.labels(contract.TELEGRAM).inc()
    try:
        reply = await bridge.rasa.send(
            sender_id(update), text, {contract.CHANNEL_KEY: contract.TELEGRAM, **(metadata or {})}
        )
    except RasaUnavailable as exc:
        log.warning("chat %s: no answer from Rasa (%s)", chat_id, exc)
        await context.bot.send_message(chat_id, APOLOGY)
        return
    context.chat_data[SECRET_NEXT] = reply.expects_secret
    for body, buttons in reply.messages:
        pieces = split_text(body)
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(title[:64], callback_data=bridge.payloads.encode(payload))]
                for title, payload in buttons
            ]
        )
        for number, piece in enumerate(pieces, 1):
            markup = keyboard if buttons and number == len(pieces) else None
            await context.bot.send_message(chat_id, piece, reply_markup=markup)


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says /start, /aiuto or /annulla to the bot."""
    name = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    async with _lock(context):
        await relay(update, context, COMMANDS[name])


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Relays what the user wrote; deletes it from the chat when it was a secret."""
    message = update.effective_message
    # A leading "/" would make Rasa read the text as an intent with entities: never from users.
    text = message.text.lstrip("/").strip() or "?"
    async with _lock(context):
        if context.chat_data.get(SECRET_NEXT):
            try:
                await message.delete()
            except TelegramError as exc:
                log.warning("chat %s: secret not deleted (%s)", message.chat_id, exc)
            else:
                await context.bot.send_message(message.chat_id, SECRET_DELETED)
        await relay(update, context, text)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says a pressed button's payload to the bot."""
    query = update.callback_query
    markup = query.message.reply_markup if query.message else None
    offered = {b.callback_data for row in (markup.inline_keyboard if markup else ()) for b in row}
    payload = _bridge(context).payloads.decode(query.data) if query.data in offered else None
    await query.answer(None if payload else STALE_BUTTON)
    if payload:
        async with _lock(context):
            await relay(update, context, payload)


async def identity_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stores a photo or file as an uploaded document and hands its reference to the bot."""
    message = update.effective_message
    if message.photo:
        attachment, filename = message.photo[-1], "foto.jpg"
    else:
        attachment = message.document
        filename = attachment.file_name or "documento"
    chat_id = message.chat_id
    if (attachment.file_size or 0) > documents.MAX_DOCUMENT_BYTES:
        await context.bot.send_message(
            chat_id, "Il documento supera la dimensione massima di 5 MB."
        )
        return
    try:
        content = bytes(await (await attachment.get_file()).download_as_bytearray())
    except TelegramError as exc:
        log.warning("chat %s: document not downloaded (%s)", chat_id, exc)
        await context.bot.send_message(chat_id, DOWNLOAD_FAILED)
        return
    try:
        reference = await asyncio.to_thread(
            documents.store_upload, bootstrap.unit_of_work(), content
        )
    except InvalidInput as exc:
        await context.bot.send_message(chat_id, exc.message_it)
        return
    async with _lock(context):
        await relay(
            update, context, f"Documento allegato: {filename}", {contract.DOCUMENT_KEY: reference}
        )


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says what the bot can read when it gets a sticker, a voice message, a video..."""
    await context.bot.send_message(update.effective_chat.id, CANNOT_READ)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs a failed update (never its content) and keeps the bridge running."""
    log.error("update failed: %s", type(context.error).__name__, exc_info=context.error)


async def _close(application: Application) -> None:
    await application.bot_data["bridge"].rasa.close()


def build_application(settings: Settings) -> Application:
    """The bridge's python-telegram-bot application, handlers included."""
    if not settings.telegram_bot_token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.resolved_telegram_api_file_url())
        .rate_limiter(AIORateLimiter(max_retries=3))
        # Chats run side by side; each chat's lock keeps its own messages in order.
        .concurrent_updates(64)
        .post_shutdown(_close)
        .build()
    )
    application.bot_data["bridge"] = Bridge(RasaClient(settings.rasa_url, settings.rasa_timeout))
    # Private chats only: a group would share one conversation, and its secrets, with everyone.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler(list(COMMANDS), command, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(
        MessageHandler(private & (filters.PHOTO | filters.Document.ALL), identity_document)
    )
    application.add_handler(MessageHandler(private & UNSUPPORTED, unsupported))
    application.add_handler(CallbackQueryHandler(button))
    application.add_error_handler(on_error)
    return application


cli = typer.Typer(help="Il bridge Telegram.", invoke_without_command=True)


@cli.callback()
def run() -> None:
    """Run the Telegram bridge in the foreground (TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_URL...)."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    settings = get_settings()  # checked by the `sportello` command before any subcommand
    logs.configure(settings)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        application = build_application(settings)
    except RuntimeError as exc:
        typer.echo("Imposta TELEGRAM_BOT_TOKEN per avviare il bridge Telegram.", err=True)
        raise typer.Exit(2) from exc
    if settings.telegram_webhook_url:
        from bot.channels.telegram.webhook import serve

        asyncio.run(serve(application, settings))
    else:
        log.info("Telegram bridge polling")
        metrics.serve(settings)
        try:
            # Telegram unreachable at start: keep trying rather than take `make run` down.
            application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
        except InvalidToken as exc:
            typer.echo("TELEGRAM_BOT_TOKEN non è valido: Telegram lo rifiuta.", err=True)
            raise typer.Exit(2) from exc
