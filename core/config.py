"""Every configuration key Minyi reads, with a safe default and the reason for it.

Secrets never live here: they come from ``instance/config.py`` or ``FLASK_*`` environment variables
(``FLASK_SECRET_KEY``, ``FLASK_SQLALCHEMY_DATABASE_URI`` …), which override these defaults.
"""

from datetime import timedelta
from typing import ClassVar


class DefaultConfig:
    # Name shown in the header, titles and exports; the district that runs the site.
    SITE_NAME = "抚顺市东洲区人民政府"
    # English form of the site name for the English interface.
    SITE_NAME_EN = "Dongzhou District People's Government, Fushun"
    # Left unset: create_app generates one into instance/secret_key on first run (set it on multi-host installs).
    SECRET_KEY: str | None = None
    # Embedded default; production points this at PostgreSQL (see docs/deploy.md).
    SQLALCHEMY_DATABASE_URI = "sqlite:///minyi.sqlite"
    # Checks a pooled connection before use so a restarted PostgreSQL does not surface as a 500.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}

    # Chinese first; English is complete. The visitor's choice wins, then Accept-Language.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    # Locales offered by the language switch.
    LANGUAGES = ("zh_CN", "en")
    # Times are stored in UTC and shown in the district's time.
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    # Where the compiled catalogs live.
    BABEL_TRANSLATION_DIRECTORIES = "translations"

    # Staff sessions end after this long without a request (server-side, revocable).
    STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
    # A staff session never lasts longer than this, active or not.
    STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    # The browser cookie itself expires with the browser; the server decides validity.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Not readable by scripts.
    SESSION_COOKIE_HTTPONLY = True
    # Sent on top-level navigation only; blocks cross-site POSTs riding on the cookie.
    SESSION_COOKIE_SAMESITE = "Lax"
    # Force Secure cookies; when False they are still Secure on any request that arrived over HTTPS.
    SESSION_COOKIE_SECURE = False
    # Flask-Login's remember-me cookie is never issued; keep its flags strict anyway.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Requests to the read-only open-data API (/api/v1) from one address, all endpoints together.
    API_RATE_LIMIT = "120 per minute"

    # Seconds a public page (a consultation, the lists, a comment form) is served from a worker's memory to
    # visitors who are not signed in; its counters lag by at most this long. 0 renders every request afresh.
    PUBLIC_PAGE_CACHE_SECONDS = 5

    # Site search looks candidates up in its index of character bigrams (core/search_index.py, docs/deploy.md);
    # False scans the texts with LIKE as before the index (the index is still kept in step).
    SEARCH_INDEX = True

    # The site's public address. Every absolute link (feeds, the API, e-mails, exports, QR codes, the CLI) is built
    # from it, never from the request, whose Host and X-Forwarded-Host a client can forge. Set it on every install
    # (docs/deploy.md); `make run` sets it to the local address it serves.
    SITE_URL = "http://localhost:8000/"
    # Number of reverse proxies in front of gunicorn whose X-Forwarded-For and -Proto headers are trusted (nginx: 1).
    TRUSTED_PROXY_COUNT = 0
    # Also trust X-Forwarded-Host from them: only if the proxy sets it itself (the documented nginx clears it).
    TRUSTED_PROXY_FORWARDS_HOST = False
    # Strict-Transport-Security max-age sent on HTTPS responses.
    HSTS_MAX_AGE = 31536000

    # Shortest password accepted; no composition rules (NIST SP 800-63B), but common passwords are refused.
    PASSWORD_MIN_LENGTH = 10
    # zxcvbn score (0–4) a password must reach; 3 refuses dictionary words and common passwords.
    PASSWORD_MIN_STRENGTH = 3
    # Failed logins for one account from one address before that pair is locked for a while.
    LOGIN_FAILURES_PER_SOURCE = 5
    # Failed logins for one account from anywhere before the account is throttled for everyone.
    LOGIN_FAILURES_PER_ACCOUNT = 20
    # How long failures are remembered and how long a lock lasts; a lock always ends by itself.
    LOGIN_LOCK_WINDOW = timedelta(minutes=15)
    # Issuer name shown in authenticator apps for the optional second factor.
    TOTP_ISSUER = "Minyi"

    # Storage for Flask-Limiter; use redis://… when several processes or hosts serve the site.
    RATELIMIT_STORAGE_URI = "memory://"
    # Keep serving if the rate-limit store is down rather than failing every request.
    RATELIMIT_SWALLOW_ERRORS = True
    # Sent with 429 answers so clients know when to retry.
    RATELIMIT_HEADERS_ENABLED = True
    # Limit on login form submissions from one address.
    LOGIN_RATE_LIMIT = "10 per minute"

    # CSRF tokens stay valid for a whole working session on a long form.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Largest request body accepted (attachments included).
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024

    # Audit records are kept at least this long (网络安全法 Art. 21: ≥ 6 months).
    AUDIT_RETENTION_DAYS = 400
    # Log format on stdout: "json" for log shippers, "text" for people.
    LOG_FORMAT = "json"

    # Uploaded attachments are kept here, outside the web root, and served only through permission checks.
    UPLOAD_FOLDER: str | None = None  # None: instance/uploads
    # Where stored files live (core/storage.py): "local" (the folders above, one host) or "database" (the shared
    # database, so every host serves what any host received; `flask storage copy-to-database` moves old files).
    STORAGE_BACKEND = "local"
    # Files built by export jobs (core/tasks_jobs.py), with the local backend. None: instance/exports
    EXPORT_FOLDER: str | None = None

    # Residents' forms ask for a self-hosted captcha (no third-party service; works without JavaScript).
    CAPTCHA_ENABLED = True
    # How long a captcha challenge stays valid: long enough to write a careful comment.
    CAPTCHA_MAX_AGE = timedelta(hours=3)

    # Outgoing mail (receipts, notices). No server: messages are logged instead of sent.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    # STARTTLS on the connection (or implicit TLS when MAIL_PORT is 465).
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    # From: address of every message.
    MAIL_SENDER = "noreply@dongzhou.example.cn"
    # Tests: collect messages in app.extensions["minyi_outbox"] instead of sending them.
    MAIL_SUPPRESS_SEND = False
    # Seconds the worker waits for the mail server before trying the message again later.
    MAIL_TIMEOUT = 10
    # E-mail waits in the outbox (core/outbox.py) and is sent by the worker: first retry after OUTBOX_FIRST_DELAY,
    # doubling up to OUTBOX_MAX_DELAY (so after an outage every message goes within that long), given up (shown to
    # staff as failed) after OUTBOX_GIVE_UP_AFTER; a claim held that long by a crashed worker is released.
    OUTBOX_FIRST_DELAY = timedelta(minutes=1)
    OUTBOX_MAX_DELAY = timedelta(minutes=10)
    OUTBOX_GIVE_UP_AFTER = timedelta(days=3)
    OUTBOX_STALE_CLAIM = timedelta(minutes=15)
    # Messages sent over one SMTP connection before the worker claims the next batch.
    OUTBOX_BATCH = 200
    # Sent messages (they hold residents' addresses) are deleted after this many days by the scheduled purge.
    OUTBOX_KEEP_SENT_DAYS = 30

    # The task queue (core/tasks.py, Huey). None: an SQLite file in instance/ (one machine); several hosts share
    # redis://HOST:6379/1. QUEUE_IMMEDIATE runs each task inside the call that queues it (tests).
    QUEUE_URL: str | None = None
    QUEUE_IMMEDIATE = False

    # Addresses (or networks) allowed to read /metrics; everyone else gets 404. Add the Prometheus server's.
    METRICS_ALLOWED_IPS: tuple[str, ...] = ("127.0.0.1", "::1")

    # A TrueType CJK font for PDF output; None: the first of the known system paths (fonts-wqy-zenhei).
    PDF_FONT_PATH: str | None = None
    # Verification look-ups per address, so codes cannot be guessed by brute force.
    VERIFY_RATE_LIMIT = "20 per minute"
    # Largest document the /verify page accepts for checking (a summary of 100,000 comments as PDF is ~30 MB).
    VERIFY_MAX_UPLOAD = 200 * 1024 * 1024

    # Public survey results hide any count below this, so no small group of residents can be singled out.
    SURVEY_MIN_CELL = 5
    # Survey page submissions from one address per minute (a school or office behind one address may need more).
    SURVEY_POST_RATE_LIMIT = "30 per minute"
    # Non-empty rows an imported XLSForm may have in each sheet below its header. A form at this limit imports in
    # about 1.2 s on the reference machine (bench/upload_worst_cases.py); 100,000 rows held a worker past the
    # gunicorn timeout.
    XLSFORM_MAX_ROWS = 1000

    # Site identity in every page's footer (政府网站发展指引, 国办发〔2017〕47号). Each is shown only when set; an
    # install replaces these demo values with its own (docs/deploy.md, "Site identity").
    # 主办单位: the government body that owns the site.
    SITE_ORGANISER = "抚顺市东洲区人民政府办公室"
    SITE_ORGANISER_EN = "General Office of the Dongzhou District People's Government"
    # 承办单位: the unit that runs it day to day.
    SITE_OPERATOR = "抚顺市东洲区政务服务中心"
    SITE_OPERATOR_EN = "Dongzhou District Government Services Centre"
    # 网站标识码: the ten-digit code the national government-website register assigns.
    SITE_IDENTIFIER = "2104030001"
    # ICP 备案号 and where it links (the MIIT filing system).
    SITE_ICP_NUMBER = "辽ICP备00000000号"
    SITE_ICP_URL = "https://beian.miit.gov.cn/"
    # 公安机关备案号, its link on the public-security filing system and its icon (a static file).
    SITE_PSB_NUMBER = "辽公网安备21040302000000号"
    SITE_PSB_URL = "https://beian.mps.gov.cn/#/query/webSearch?code=21040302000000"
    SITE_PSB_ICON = "img/beian-psb.svg"
    # 党政机关网站 mark (开办资格 of the 中央编办) and the page it links to; an empty URL hides the mark.
    SITE_GOV_MARK_IMAGE = "img/gov-site-mark.svg"
    SITE_GOV_MARK_URL = "https://bszs.conac.cn/"
    # 联系我们: what the contact page lists, besides the department directory.
    SITE_CONTACT_PHONE = "024-00000000"
    SITE_CONTACT_EMAIL = "zwgk@dongzhou.example.cn"
    SITE_CONTACT_ADDRESS = "抚顺市东洲区政府大楼"
    SITE_CONTACT_ADDRESS_EN = "Dongzhou District Government Building, Fushun"
    SITE_CONTACT_HOURS = "工作日 8:30–11:30，13:30–17:00"
    SITE_CONTACT_HOURS_EN = "Working days 8:30–11:30, 13:30–17:00"

    # Tamper evidence (core/integrity, docs/deploy.md). Public pages verify each item against its seal before serving.
    INTEGRITY_ENABLED = True
    # Whether a published item with no seal at all is refused: "auto" refuses once `flask integrity seal-all` started
    # the ledger (so an upgraded database keeps serving until it is sealed); True or False force it.
    INTEGRITY_REQUIRE_SEALS: bool | str = "auto"
    # HMAC key of the ledger chain; None derives it from SECRET_KEY. Keep it outside the database (instance/config.py).
    INTEGRITY_KEY: str | None = None
    # Release manifest of templates and static files; None: instance/release-manifest.json. No file: not checked.
    INTEGRITY_MANIFEST: str | None = None
    # Where `integrity check` keeps the ledger's last entry, outside the database, to notice entries removed from its
    # end; None: instance/integrity-ledger-head.json.
    INTEGRITY_LEDGER_HEAD: str | None = None
    # Extra addresses told of every integrity alert, besides the enabled admin accounts.
    INTEGRITY_ALERT_EMAILS: tuple[str, ...] = ()
    # Domains public pages may link to (and their subdomains), besides the site's own host.
    INTEGRITY_LINK_ALLOWLIST: tuple[str, ...] = ("gov.cn", "conac.cn")
    # Seconds an external link may take to answer in the scheduled link check.
    INTEGRITY_LINK_TIMEOUT = 5
    # Most pages one content scan reads.
    INTEGRITY_SCAN_MAX_PAGES = 2000
    # Self-inspection (栏目不更新): a column with nothing new for this many days is reported as not updated.
    INSPECTION_STALE_DAYS = 180
    # Self-inspection (互动回应): a survey closed this many days without public results is reported.
    INSPECTION_RESULTS_DUE_DAYS = 30
