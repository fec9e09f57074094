#!/usr/bin/env python3
"""The benchmark's plain Python peer (p): one --once poll of tc-job-monitor for the file sink, written
as a plain script would be, with the standard library only (http.client, json, hmac).

It does the duties of the hand-written Java floor (benchmark/.../FloorMonitor.java), from the same
environment variables to the same files:

- window: watermark minus MONITOR_OVERLAP, or now minus MONITOR_LOOKBACK; the TQL query
  status IN ("Failed") AND failedTime > "<window start>", resultLimit=MONITOR_PAGE_SIZE;
- every page request signed anew (ThreatConnect HMAC: TC id:Base64(HMAC-SHA256(path?query:GET:ts)),
  the path and query signed as they go on the wire);
- `next` followed only to TC_BASE_URL's scheme, host and port;
- a page counts only when HTTP 2xx and "status":"Success" with a `data` array (json.loads of the whole
  page: the standard library has no streaming parser);
- kept: status Failed (case-insensitive) and failedTime inside the window (or unreadable), and a key
  (the id, or a digest of the record) not in delivered-file.tsv;
- the alert line is the monitor's document: the record's fields as sent (last of a repeated name, as
  the monitor keeps), then "monitor": {instance, baseUrl, detectedAt} under the first name the record
  does not use; compact JSON, non-ASCII as UTF-8, numbers with the monitor's text (decimals as
  BigDecimal writes them);
- per page: its lines appended in one write, forced to the disk (fdatasync), then its keys appended
  to the ledger in one write (a crash duplicates at most that page's alerts, never loses one); an
  unterminated last line of either file is cut off first;
- after the last page: the ledger forced to the disk, then the watermark replaced atomically (temp
  file, fsync, rename); then delivered ids older than the retention are forgotten, as the floor does.

Left out, as in the floor: retries, other sinks, health, notices, token auth, TLS options. On any error
it prints why on stderr and exits 1.

    TC_BASE_URL=... TC_ACCESS_ID=... TC_SECRET_KEY=... MONITOR_LOOKBACK=P1D python3 floor_monitor.py
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import sys
import time
import urllib.parse
from decimal import Decimal

MONITOR = "default"
SINK = "file"
STATUS = "Failed"
TIME_FIELD = "failedTime"
SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
MIN_MEMORY = datetime.timedelta(days=1)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
ONE_SECOND = datetime.timedelta(seconds=1)
READ_TIMEOUT_SECONDS = 60

# --- JSON as the monitor writes it (Jackson) ---------------------------------------------------------


def _reject_constant(name):
    # Jackson refuses NaN and Infinity: a page holding them is not JSON
    raise ValueError("not JSON: " + name)


# decimals keep their exact value (the monitor reads them as BigDecimal); integers are exact anyway
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_ENCODE_STRING = json.encoder.encode_basestring
# Python writes the control characters without a short escape as \u001f, Jackson as \u001F
_LOWER_HEX_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u00([01][0-9a-f])")


def _jackson_hex(match):
    return match.group(1) + "\\u00" + match.group(2).upper()


def _dump_exact(value):
    """The slow path for a record holding a decimal: json cannot write a Decimal as its own text."""
    if isinstance(value, str):
        return _ENCODE_STRING(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        # the General Decimal Arithmetic form, as Java's BigDecimal.toString; BigDecimal has no -0
        return str(value.copy_abs() if value.is_zero() else value)
    if isinstance(value, list):
        return "[" + ",".join(_dump_exact(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_ENCODE_STRING(key) + ":" + _dump_exact(item) for key, item in value.items()) + "}"
    raise TypeError("cannot write " + type(value).__name__)


def dump(record):
    """Compact JSON of a parsed record, byte for byte what Jackson writes for the same node."""
    try:
        text = _ENCODE(record)
    except TypeError:
        text = _dump_exact(record)
    if "\\u00" in text:
        text = _LOWER_HEX_ESCAPE.sub(_jackson_hex, text)
    return text


# --- small formats ----------------------------------------------------------------------------------

_DURATION = re.compile(
    r"([-+]?)P(?:([-+]?[0-9]+)D)?(?:T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?",
    re.IGNORECASE)


def parse_duration(text):
    """java.time.Duration.parse for the forms settings use (PT10M, P1D, PT1H30M, PT0.5S)."""
    match = _DURATION.fullmatch(text.strip())
    if not match or text.strip().upper().endswith("T") or text.strip().upper() in ("P", "-P", "+P"):
        raise ValueError("not an ISO-8601 duration: " + text)
    sign, days, hours, minutes, seconds, fraction = match.groups()
    seconds_value = int(seconds or 0)
    micros = int((fraction or "").ljust(6, "0")[:6]) if fraction else 0
    if seconds and seconds.startswith("-"):
        micros = -micros
    duration = datetime.timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                                  seconds=seconds_value, microseconds=micros)
    return -duration if sign == "-" else duration


def instant_text(moment):
    """java.time.Instant.toString: UTC, the fraction in groups of three digits, none when zero."""
    moment = moment.astimezone(datetime.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += ".%03d" % (moment.microsecond // 1000) if moment.microsecond % 1000 == 0 else ".%06d" % moment.microsecond
    return text + "Z"


def parse_instant(text):
    """An ISO-8601 timestamp with an offset (what OffsetDateTime.parse reads), else None."""
    if type(text) is not str or len(text) < 16 or text[4] != "-" or text[7] != "-" or text[10] not in "Tt" \
            or text[13] != ":":
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _finer_than_micros(text):
    """Whether the fraction of text has a non-zero digit past the sixth (Python keeps microseconds)."""
    dot = text.find(".", 19)
    if dot < 0:
        return False
    end = dot + 1
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[dot + 7:end].strip("0") != ""


def epoch_second(moment):
    return (moment - EPOCH) // ONE_SECOND


def is_failed(status):
    """String.equalsIgnoreCase(STATUS, status): char by char, upper or lower case alike."""
    if status == STATUS:
        return True
    if type(status) is not str or len(status) != len(STATUS):
        return False
    return all(a == b or a.upper() == b.upper() or a.lower() == b.lower() for a, b in zip(status, STATUS))


def encode(value):
    """RFC 3986 unreserved characters stay, every other byte is %XX (spaces as %20), as ThreatConnect signs it."""
    return urllib.parse.quote(value, safe="")


def sign(access_id, secret_key, path_and_query, method, timestamp):
    """The Authorization header value: TC <accessId>:<Base64(HMAC-SHA256(secret, "path?query:METHOD:timestamp"))>."""
    message = ("%s:%s:%d" % (path_and_query, method, timestamp)).encode("utf-8")
    digest = hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).digest()
    return "TC %s:%s" % (access_id, base64.b64encode(digest).decode("ascii"))


# --- files ------------------------------------------------------------------------------------------


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def cut_unterminated_last_line(fd):
    """A killed writer's last line without its newline: cut off, so the next append starts a line."""
    size = os.fstat(fd).st_size
    end = size
    while end > 0:
        start = max(0, end - 4096)
        chunk = os.pread(fd, end - start, start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            end = start + newline + 1
            break
        end = start
    if end < size:
        os.ftruncate(fd, end)
    return end


def write_atomically(path, content):
    temp = path + ".tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        write_all(fd, content.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)


def load_ledger(path):
    """delivered-file.tsv: key TAB epoch-second per line; an unterminated last line is cut off."""
    delivered = {}
    if not os.path.exists(path):
        return delivered
    fd = os.open(path, os.O_RDWR)
    try:
        end = cut_unterminated_last_line(fd)
        content = os.pread(fd, end, 0).decode("utf-8")
    finally:
        os.close(fd)
    for line in content.split("\n"):
        key, tab, second = line.partition("\t")
        if tab and key:
            try:
                delivered[key] = int(second)
            except ValueError:
                pass  # a damaged line proves no delivery
    return delivered


# --- the poll ---------------------------------------------------------------------------------------


class PollFailed(Exception):
    pass


class Poll:

    def __init__(self, env):
        self.base_url = env.get("TC_BASE_URL", "https://app.threatconnect.com/api").strip().rstrip("/")
        self.base = urllib.parse.urlsplit(self.base_url)
        self.access_id = self._require(env, "TC_ACCESS_ID")
        self.secret_key = self._require(env, "TC_SECRET_KEY")
        self.page_size = int(env.get("MONITOR_PAGE_SIZE", "1000"))
        self.lookback = parse_duration(env.get("MONITOR_LOOKBACK", "PT1H"))
        self.overlap = parse_duration(env.get("MONITOR_OVERLAP", "PT10M"))
        self.state_dir = os.path.join(env.get("MONITOR_STATE_DIR", "data/state"), MONITOR)
        self.alert_dir = env.get("SINK_FILE_DIRECTORY", "data/alerts")
        self.connect_timeout = int(env.get("TC_CONNECT_TIMEOUT", "10000")) / 1000.0
        self.connection = None
        self.delivered = {}
        self.ledger_fd = None
        self.alert_fd = None
        self.alert_path = None
        self.pages = self.executions = self.failures = self.new_failures = 0

    @staticmethod
    def _require(env, name):
        value = env.get(name, "")
        if not value.strip():
            raise PollFailed(name + " is not set")
        return value

    def run(self):
        started = time.monotonic()
        os.makedirs(self.state_dir, exist_ok=True)
        watermark_file = os.path.join(self.state_dir, "watermark")
        ledger_file = os.path.join(self.state_dir, "delivered-" + SINK + ".tsv")
        self.delivered = load_ledger(ledger_file)
        self.ledger_fd = os.open(ledger_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        if os.path.exists(watermark_file):
            with open(watermark_file, encoding="utf-8") as file:
                watermark_text = file.read().strip()
            watermark = parse_instant(watermark_text)
            if watermark is None:
                raise PollFailed("the watermark is not an instant: " + watermark_text)
            window_start = watermark - self.overlap
        else:
            window_start = now - self.lookback
        tql = 'status IN ("%s") AND %s > "%s"' % (STATUS, TIME_FIELD, instant_text(window_start))
        page = "%s/v3/job/executions?tql=%s&resultLimit=%d" % (self.base_url, encode(tql), self.page_size)
        try:
            while page is not None:
                page = self.read_page(page, window_start)
            os.fdatasync(self.ledger_fd)  # the ids on the disk before the watermark that trusts them
        finally:
            os.close(self.ledger_fd)
            if self.alert_fd is not None:
                os.close(self.alert_fd)
            if self.connection is not None:
                self.connection.close()
        write_atomically(watermark_file, instant_text(now) + "\n")
        keep_for = self.overlap if self.overlap > MIN_MEMORY else MIN_MEMORY
        self.forget_delivered_before(ledger_file, now - self.overlap - keep_for)
        print("Poll of '%s' done in %d ms: window %s..%s, %d page(s), %d execution(s), %d failed, %d new, delivered %s=%d"
              % (MONITOR, (time.monotonic() - started) * 1000, instant_text(window_start), instant_text(now), self.pages,
                 self.executions, self.failures, self.new_failures, SINK, self.new_failures), flush=True)

    def get(self, url):
        """A signed GET of url (same origin as the base): the status, and the body as bytes."""
        parts = urllib.parse.urlsplit(url)
        path_and_query = parts.path + ("?" + parts.query if parts.query else "")
        if self.connection is None:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            self.connection = kind(parts.hostname, port, timeout=self.connect_timeout)
        if self.connection.sock is None:
            self.connection.connect()
            self.connection.sock.settimeout(READ_TIMEOUT_SECONDS)
        timestamp = int(time.time())
        # the target goes on the wire as signed: http.client does not re-encode it
        self.connection.request("GET", path_and_query, headers={
            "Accept": "application/json",
            "Timestamp": str(timestamp),
            "Authorization": sign(self.access_id, self.secret_key, path_and_query, "GET", timestamp),
        })
        response = self.connection.getresponse()
        return response.status, response.read()

    def read_page(self, url, window_start):
        """One page: signed GET, parsed, checked, then its new failures delivered. Returns the next page or None."""
        status, body = self.get(url)
        detected_at = datetime.datetime.now(datetime.timezone.utc)
        detected_at = detected_at.replace(microsecond=detected_at.microsecond // 1000 * 1000)
        if not 200 <= status <= 299:
            raise PollFailed("ThreatConnect answered HTTP %d: %s" % (status, body[:500].decode("utf-8", "replace")))
        envelope = _DECODER.decode(body.decode("utf-8"))
        del body
        if not isinstance(envelope, dict):
            raise PollFailed("the answer is not a JSON object")
        data = envelope.get("data")
        if envelope.get("status") != "Success" or not isinstance(data, list):
            raise PollFailed("ThreatConnect answered status %r%s" % (envelope.get("status"),
                                                                    "" if isinstance(data, list) else " without a data array"))
        next_link = envelope.get("next")
        next_page = self.same_origin(next_link) if isinstance(next_link, str) and next_link.strip() else None

        about = {"instance": MONITOR, "baseUrl": self.base_url, "detectedAt": instant_text(detected_at)}
        detected_second = epoch_second(detected_at)
        delivered = self.delivered
        lines = []
        keys = []
        for record in data:
            if type(record) is not dict or not is_failed(record.get("status")):
                continue
            time_text = record.get(TIME_FIELD)
            event_time = parse_instant(time_text)
            if event_time is not None and not (event_time > window_start
                                               or event_time == window_start and _finer_than_micros(time_text)):
                continue
            self.failures += 1
            record_id = record.get("id")
            if (type(record_id) is int or type(record_id) is str) and SAFE_ID.fullmatch(str(record_id)):
                key = str(record_id)
            else:
                # as the monitor: a digest of the record as sent (compact JSON) identifies it
                key = "sha256:" + hashlib.sha256(dump(record).encode("utf-8")).hexdigest()
            if key in delivered:
                continue
            field = "monitor"
            while field in record:
                field = "_" + field
            record[field] = about
            second = detected_second if event_time is None else epoch_second(event_time)
            lines.append(dump(record))
            keys.append("%s\t%d\n" % (key, second))
            delivered[key] = second
        self.pages += 1
        self.executions += len(data)
        if lines:
            self.deliver(lines, keys, detected_at)
        return next_page

    def deliver(self, lines, keys, detected_at):
        """The page's lines in one write, forced to the disk; then their keys in one write."""
        path = os.path.join(self.alert_dir, "failures-%s.jsonl" % detected_at.date().isoformat())
        if path != self.alert_path:
            if self.alert_fd is not None:
                os.close(self.alert_fd)
            os.makedirs(self.alert_dir, exist_ok=True)
            self.alert_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            os.lseek(self.alert_fd, cut_unterminated_last_line(self.alert_fd), os.SEEK_SET)
            self.alert_path = path
        lines.append("")
        write_all(self.alert_fd, "\n".join(lines).encode("utf-8"))
        os.fdatasync(self.alert_fd)
        write_all(self.ledger_fd, "".join(keys).encode("utf-8"))
        self.new_failures += len(keys)

    def forget_delivered_before(self, ledger_file, cutoff):
        second = epoch_second(cutoff)
        kept = {key: at for key, at in self.delivered.items() if at >= second}
        if len(kept) < len(self.delivered):
            write_atomically(ledger_file, "".join("%s\t%d\n" % item for item in kept.items()))
            self.delivered = kept

    def same_origin(self, link):
        resolved = urllib.parse.urljoin(self.base_url, link)
        target = urllib.parse.urlsplit(resolved)

        def port(parts):
            return parts.port or (443 if parts.scheme.lower() == "https" else 80)

        if target.scheme.lower() != self.base.scheme.lower() or (target.hostname or "") != (self.base.hostname or "") \
                or port(target) != port(self.base):
            raise PollFailed("refused to follow a next link to another origin: %s" % target.hostname)
        return resolved


def main():
    try:
        Poll(os.environ).run()
    except Exception as e:  # noqa: BLE001 - any failure ends the poll, as the floor's does
        print("python floor: poll failed: %s: %s" % (type(e).__name__, e), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
