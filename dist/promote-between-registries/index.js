/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
/******/ 	var __webpack_modules__ = ({

/***/ 9184:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G0: () => (/* binding */ Inputs),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   tT: () => (/* binding */ envInputReader)
/* harmony export */ });
/* unused harmony exports SECRET_INPUTS, isSecretInput, refuseOption, parseDuration */
/* harmony import */ var _text__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2450);

/**
 * Reading action inputs with errors that name the input and say what is wrong with its value.
 * The reader is injected (GitHub's INPUT_* variables for actions, options for the CLI), so the
 * parsing rules are the same everywhere and unit-testable.
 */
class InputError extends Error {
    input;
    constructor(input, problem) {
        super(`input "${input}": ${problem}`);
        this.name = 'InputError';
        this.input = input;
    }
}
/**
 * Inputs whose values are secret, in every action and the CLI (which uses the same names). An
 * error about one of them never shows its value, nor any part of a line of it.
 */
const SECRET_INPUTS = new Set([
    'private-key',
    'passphrase',
    'secret-env',
    'registry-password',
    'password',
    'source-password',
    'destination-password',
    'secrets',
    'sign-key',
    'sign-key-password',
]);
function isSecretInput(name) {
    return SECRET_INPUTS.has(name);
}
/** Reads inputs the way the Actions runner passes them: INPUT_<NAME> (spaces become underscores). */
function envInputReader(env = process.env) {
    return (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
}
const TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'no', 'off', '0']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
class Inputs {
    read;
    constructor(read) {
        this.read = read;
    }
    /** The same inputs with some values replaced (one step feeding the next in one process). */
    with(values) {
        return new Inputs((name) => (name in values ? values[name] : this.read(name)));
    }
    /** The value for an error message: quoted, or a note that a secret value is not shown. */
    show(name, value) {
        return isSecretInput(name) ? '(a secret value, not shown)' : JSON.stringify(value);
    }
    /** The trimmed value, or '' when unset. */
    string(name, fallback = '') {
        const raw = this.read(name);
        const value = raw === undefined ? '' : raw.trim();
        return value === '' ? fallback : value;
    }
    /** The trimmed value; an error naming the input when it is unset or blank. */
    required(name) {
        const value = this.string(name);
        if (value === '')
            throw new InputError(name, 'is required but was not given');
        return value;
    }
    /** A single-line value: no newline or control character can hide in it. */
    line(name, fallback = '') {
        const value = this.string(name, fallback);
        if ((0,_text__WEBPACK_IMPORTED_MODULE_0__/* .hasControlCharacter */ .F)(value))
            throw new InputError(name, `must be a single line without control characters, got ${this.show(name, value)}`);
        return value;
    }
    boolean(name, fallback) {
        const value = this.string(name);
        if (value === '')
            return fallback;
        if (TRUE.has(value))
            return true;
        if (FALSE.has(value))
            return false;
        throw new InputError(name, `must be true or false, got ${JSON.stringify(value)}`);
    }
    integer(name, fallback, bounds = {}) {
        const value = this.string(name);
        if (value === '')
            return fallback;
        if (!/^-?\d+$/.test(value))
            throw new InputError(name, `must be a whole number, got ${JSON.stringify(value)}`);
        const number = Number(value);
        if (bounds.min !== undefined && number < bounds.min)
            throw new InputError(name, `must be at least ${bounds.min}, got ${number}`);
        if (bounds.max !== undefined && number > bounds.max)
            throw new InputError(name, `must be at most ${bounds.max}, got ${number}`);
        return number;
    }
    /**
     * A duration in milliseconds: "90" (seconds), "90s", "5m", "1h30m", "250ms"; at least `minMs`
     * (default 1 s: a zero timeout would fail or expire at once).
     */
    duration(name, fallbackMs, { minMs = 1000 } = {}) {
        const value = this.string(name);
        if (value === '')
            return fallbackMs;
        const ms = parseDuration(value);
        if (ms === undefined) {
            throw new InputError(name, `must be a duration such as 90, 90s, 5m or 1h30m, got ${JSON.stringify(value)}`);
        }
        if (ms < minMs)
            throw new InputError(name, `must be at least ${formatMs(minMs)}, got ${JSON.stringify(value)}`);
        return ms;
    }
    /**
     * A value that becomes a positional argument of a command (a path, a name): it cannot start with
     * "-", where the program would read it as an option.
     */
    operand(name, fallback = '') {
        const value = this.line(name, fallback);
        refuseOption(name, value);
        return value;
    }
    oneOf(name, choices, fallback) {
        const value = this.string(name);
        if (value === '')
            return fallback;
        if (choices.includes(value))
            return value;
        throw new InputError(name, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    }
    /** Non-empty lines (and, with commas, comma-separated items), trimmed; '#' lines are comments. */
    list(name, options = {}) {
        const value = this.string(name);
        if (value === '')
            return [];
        const items = [];
        for (const rawLine of value.split(/\r?\n/)) {
            const line = rawLine.trim();
            if (line === '' || line.startsWith('#'))
                continue;
            const parts = options.commas ? line.split(',') : [line];
            for (const part of parts) {
                const item = part.trim();
                if (item !== '')
                    items.push(item);
            }
        }
        return items;
    }
    /** Like list, but an error naming the input when no item is given. */
    requiredList(name, options = {}) {
        const items = this.list(name, options);
        if (items.length === 0)
            throw new InputError(name, 'is required but was not given');
        return items;
    }
    /** Parses the value with `parse`; its error becomes an InputError naming this input. */
    parsed(name, parse) {
        const value = this.string(name);
        if (value === '')
            return undefined;
        return attribute(name, () => parse(value));
    }
    /** Parses each item of a list with `parse`; an error names the input and the item. */
    parsedList(name, parse, options = {}) {
        const items = options.required ? this.requiredList(name, options) : this.list(name, options);
        return items.map((item) => attribute(name, () => parse(item)));
    }
    /**
     * KEY=VALUE lines; keys must be valid environment variable names and appear once. For a secret
     * input an error names the line's number, never its text (a malformed line may be all secret).
     */
    keyValues(name) {
        const pairs = [];
        const seen = new Set();
        this.list(name).forEach((line, index) => {
            const which = isSecretInput(name) ? `line ${index + 1}` : JSON.stringify(line);
            const eq = line.indexOf('=');
            if (eq <= 0)
                throw new InputError(name, `each line must be KEY=VALUE, got ${which}`);
            const key = line.slice(0, eq).trim();
            const value = line.slice(eq + 1);
            if (!ENV_NAME.test(key))
                throw new InputError(name, `${isSecretInput(name) ? `the name on line ${index + 1}` : JSON.stringify(key)} is not a valid variable name (letters, digits and _; not starting with a digit)`);
            if (seen.has(key))
                throw new InputError(name, `${key} is given more than once`);
            seen.add(key);
            pairs.push([key, value]);
        });
        return pairs;
    }
}
function attribute(name, parse) {
    try {
        return parse();
    }
    catch (error) {
        if (error instanceof InputError)
            throw error;
        // A parser's message may quote the value: a secret input's error says only that it is invalid.
        if (isSecretInput(name))
            throw new InputError(name, 'is not valid (a secret value, not shown)');
        throw new InputError(name, error instanceof Error ? error.message : String(error));
    }
}
/** A value that becomes a positional argument cannot start with "-" (it would be read as an option). */
function refuseOption(name, value) {
    if (value.startsWith('-'))
        throw new InputError(name, `${JSON.stringify(value)} starts with "-", which the command would read as an option`);
}
function formatMs(ms) {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
/** Parses "90", "90s", "5m", "1h30m", "250ms" into milliseconds; undefined when malformed. */
function parseDuration(text) {
    const value = text.trim();
    if (/^\d+(\.\d+)?$/.test(value))
        return Math.round(Number(value) * 1000);
    let total = 0;
    let consumed = 0;
    for (const match of value.matchAll(DURATION_PART)) {
        if (match.index !== consumed)
            return undefined;
        total += Number(match[1]) * DURATION_UNITS[match[2]];
        consumed += match[0].length;
    }
    if (consumed === 0 || consumed !== value.length)
        return undefined;
    return Math.round(total);
}


/***/ }),

/***/ 3773:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Fg: () => (/* binding */ DEFAULT_MUTABLE_TAGS),
/* harmony export */   RB: () => (/* binding */ isMutableTag),
/* harmony export */   xN: () => (/* binding */ isValidMutableTagPattern)
/* harmony export */ });
/**
 * Mutable tags: the tags a user lets move to another digest (`latest`, `main`, `1.2` …). Every
 * other tag, once it points somewhere, stays: a version tag names one image for good. Shared by the
 * actions that set tags (`mutable-tags` input, default `latest`).
 */
const DEFAULT_MUTABLE_TAGS = ['latest'];
/** A pattern: a tag, or a tag with `*` standing for any run of tag characters (`main-*`). */
const PATTERN = /^[A-Za-z0-9_*][A-Za-z0-9_.*-]{0,127}$/;
function isValidMutableTagPattern(pattern) {
    return PATTERN.test(pattern);
}
/** True when `tag` matches one of `patterns` (exactly, `*` matching any run of characters). */
function isMutableTag(tag, patterns) {
    return patterns.some((pattern) => {
        const regex = new RegExp(`^${pattern
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
            .join('.*')}$`);
        return regex.test(tag);
    });
}


/***/ }),

/***/ 3211:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   k: () => (/* binding */ runPool)
/* harmony export */ });
/** Runs async tasks with at most `limit` in flight; rejects with the first error once all settle. */
async function runPool(tasks, limit) {
    const results = new Array(tasks.length);
    let next = 0;
    let failure;
    const worker = async () => {
        while (next < tasks.length && !failure) {
            const index = next++;
            try {
                results[index] = await tasks[index]();
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
    if (failure)
        throw failure.error;
    return results;
}


/***/ }),

/***/ 3160:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F2: () => (/* binding */ parseReference),
/* harmony export */   FH: () => (/* binding */ formatReference),
/* harmony export */   Mb: () => (/* binding */ registryApiHost),
/* harmony export */   aR: () => (/* binding */ repositoryName),
/* harmony export */   q9: () => (/* binding */ isSha256Digest),
/* harmony export */   r_: () => (/* binding */ isValidTag),
/* harmony export */   sx: () => (/* binding */ DEFAULT_REGISTRY)
/* harmony export */ });
/* unused harmony exports DEFAULT_REGISTRY_API_HOST, MAX_TAG_LENGTH, InvalidReferenceError, familiarName, withTag, withDigest, isRegistryHost */
/* harmony import */ var _text__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2450);
/**
 * Image references: strict parsing and normalisation, following the grammar of
 * distribution/reference (registry host[:port], lowercase path components, tag, digest).
 *
 *   127.0.0.1:5000/team/app:20260101-7@sha256:…   registry "127.0.0.1:5000", repository "team/app"
 *   app                                            registry "docker.io", repository "library/app"
 */

const DEFAULT_REGISTRY = 'docker.io';
/** Where docker.io's API actually answers. */
const DEFAULT_REGISTRY_API_HOST = 'registry-1.docker.io';
const LEGACY_DEFAULT_REGISTRIES = new Set(['index.docker.io', 'registry-1.docker.io']);
const MAX_NAME_LENGTH = 255;
const MAX_TAG_LENGTH = 128;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_RE = /^sha256:[a-f0-9]{64}$/;
class InvalidReferenceError extends Error {
    value;
    constructor(value, problem) {
        super(`invalid image reference ${JSON.stringify(value)}: ${problem}`);
        this.name = 'InvalidReferenceError';
        this.value = value;
    }
}
/** Parses and normalises an image reference; throws InvalidReferenceError with the reason. */
function parseReference(input, options = {}) {
    const value = input;
    if (value.length === 0)
        throw new InvalidReferenceError(value, 'it is empty');
    if (/\s/.test(value))
        throw new InvalidReferenceError(value, 'it contains white space');
    if ((0,_text__WEBPACK_IMPORTED_MODULE_0__/* .hasControlCharacter */ .F)(value))
        throw new InvalidReferenceError(value, 'it contains a control character');
    if (/[^\x21-\x7e]/.test(value))
        throw new InvalidReferenceError(value, 'it contains a non-ASCII character');
    if (/[^A-Za-z0-9._:/@\-[\]=]/.test(value)) {
        const bad = value.match(/[^A-Za-z0-9._:/@\-[\]=]/)?.[0];
        throw new InvalidReferenceError(value, `the character ${JSON.stringify(bad)} is not allowed`);
    }
    let rest = value;
    let digest;
    const at = rest.indexOf('@');
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST_RE.test(digest))
            throw new InvalidReferenceError(value, `the digest ${JSON.stringify(digest)} is malformed`);
        if (digest.startsWith('sha256:') && !SHA256_RE.test(digest)) {
            throw new InvalidReferenceError(value, 'a sha256 digest must be 64 lowercase hex characters');
        }
    }
    let tag;
    const lastSlash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG_RE.test(tag)) {
            throw new InvalidReferenceError(value, tag.length > MAX_TAG_LENGTH
                ? `the tag is longer than ${MAX_TAG_LENGTH} characters`
                : `the tag ${JSON.stringify(tag)} is invalid (letters, digits, _ . -; not starting with . or -)`);
        }
    }
    if (options.repositoryOnly && (tag !== undefined || digest !== undefined)) {
        throw new InvalidReferenceError(value, 'a repository is expected here, without a tag or digest');
    }
    if (rest.length === 0)
        throw new InvalidReferenceError(value, 'the repository name is missing');
    if (rest.length > MAX_NAME_LENGTH)
        throw new InvalidReferenceError(value, `the name is longer than ${MAX_NAME_LENGTH} characters`);
    let registry = DEFAULT_REGISTRY;
    let path = rest;
    const firstSlash = rest.indexOf('/');
    if (firstSlash >= 0) {
        const first = rest.slice(0, firstSlash);
        if (first.includes('.') ||
            first.includes(':') ||
            first === 'localhost' ||
            first !== first.toLowerCase()) {
            if (!HOST_RE.test(first))
                throw new InvalidReferenceError(value, `the registry ${JSON.stringify(first)} is not a valid host[:port]`);
            registry = LEGACY_DEFAULT_REGISTRIES.has(first) ? DEFAULT_REGISTRY : first;
            path = rest.slice(firstSlash + 1);
        }
    }
    if (options.lowercase)
        path = path.toLowerCase();
    if (path.length === 0)
        throw new InvalidReferenceError(value, 'the repository name is missing');
    for (const component of path.split('/')) {
        if (component === '')
            throw new InvalidReferenceError(value, 'the repository path has an empty component');
        if (!PATH_COMPONENT_RE.test(component)) {
            const problem = component !== component.toLowerCase()
                ? 'repository names must be lowercase'
                : `the path component ${JSON.stringify(component)} is invalid (lowercase letters, digits, separated by . _ __ or -)`;
            throw new InvalidReferenceError(value, problem);
        }
    }
    if (registry === DEFAULT_REGISTRY && !path.includes('/'))
        path = `library/${path}`;
    if (`${registry}/${path}`.length > MAX_NAME_LENGTH) {
        throw new InvalidReferenceError(value, `the name is longer than ${MAX_NAME_LENGTH} characters`);
    }
    return {
        registry,
        repository: path,
        ...(tag !== undefined && { tag }),
        ...(digest !== undefined && { digest }),
    };
}
/** registry/repository, fully qualified ("docker.io/library/nginx"). */
function repositoryName(ref) {
    return `${ref.registry}/${ref.repository}`;
}
/** The canonical full form: registry/repository[:tag][@digest]. */
function formatReference(ref) {
    return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
/** The short form docker prints ("nginx:1", "ghcr.io/o/app:1"). */
function familiarName(ref) {
    let name = repositoryName(ref);
    if (ref.registry === DEFAULT_REGISTRY) {
        name = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
    }
    return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
function withTag(ref, tag) {
    if (!TAG_RE.test(tag))
        throw new InvalidReferenceError(`${repositoryName(ref)}:${tag}`, `the tag ${JSON.stringify(tag)} is invalid`);
    return { registry: ref.registry, repository: ref.repository, tag };
}
function withDigest(ref, digest) {
    if (!SHA256_RE.test(digest))
        throw new InvalidReferenceError(`${repositoryName(ref)}@${digest}`, 'a sha256 digest must be 64 lowercase hex characters');
    return { registry: ref.registry, repository: ref.repository, digest };
}
/** The host to speak the registry API to (docker.io answers at registry-1.docker.io). */
function registryApiHost(registry) {
    return registry === DEFAULT_REGISTRY ? DEFAULT_REGISTRY_API_HOST : registry;
}
/** A registry host[:port] as references name it (a port, when given, from 1 to 65535). */
function isRegistryHost(text) {
    if (!HOST_RE.test(text))
        return false;
    const port = /\]?:(\d+)$/.exec(text)?.[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}
function isValidTag(tag) {
    return TAG_RE.test(tag);
}
function isSha256Digest(digest) {
    return SHA256_RE.test(digest);
}


/***/ }),

/***/ 9183:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   L5: () => (/* binding */ retry),
/* harmony export */   PS: () => (/* binding */ isRetryableStatus),
/* harmony export */   l: () => (/* binding */ isTransientNetworkError),
/* harmony export */   qO: () => (/* binding */ retryDelayMs),
/* harmony export */   vI: () => (/* binding */ DEFAULT_RETRY),
/* harmony export */   yy: () => (/* binding */ sleep)
/* harmony export */ });
/** Retry policy for registry and docker operations: transient failures only, with backoff. */
const DEFAULT_RETRY = {
    retries: 4,
    baseDelayMs: Number(process.env.SLIPWAY_RETRY_BASE_MS ?? 500),
    maxDelayMs: 20_000,
};
/** HTTP statuses worth retrying: timeouts, rate limits, server errors. Never 401/403/404. */
function isRetryableStatus(status) {
    return status === 408 || status === 429 || (status >= 500 && status <= 599);
}
const TRANSIENT_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ECONNABORTED',
    'UND_ERR_SOCKET',
]);
function isTransientNetworkError(error) {
    const code = error?.code;
    if (code && TRANSIENT_CODES.has(code))
        return true;
    return (error instanceof Error && /socket hang up|timed out|ECONNRESET|other side closed/i.test(error.message));
}
/** Delay before retry `attempt` (1-based): Retry-After when the server gave one, else exponential. */
function retryDelayMs(attempt, policy, retryAfter) {
    if (retryAfter) {
        const seconds = Number(retryAfter);
        if (Number.isFinite(seconds) && seconds >= 0)
            return Math.min(seconds * 1000, policy.maxDelayMs);
        const date = Date.parse(retryAfter);
        if (!Number.isNaN(date))
            return Math.min(Math.max(0, date - Date.now()), policy.maxDelayMs);
    }
    return Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}
/** Waits `ms`; rejects with the signal's reason as soon as it is aborted. */
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(signal.reason);
        const done = () => {
            signal?.removeEventListener('abort', abort);
            resolve();
        };
        const timer = setTimeout(done, ms);
        const abort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        signal?.addEventListener('abort', abort, { once: true });
    });
}
/**
 * Runs `fn` until it succeeds, retrying the failures `retryable` accepts with backoff (at most
 * `policy.retries` retries); the last error gets `what` in front. An abort of `signal` ends the
 * waits and is never retried.
 */
async function retry(what, fn, options) {
    const policy = options.policy ?? DEFAULT_RETRY;
    for (let attempt = 1;; attempt++) {
        options.signal?.throwIfAborted();
        try {
            return await fn();
        }
        catch (error) {
            if (options.signal?.aborted)
                throw options.signal.reason;
            if (!options.retryable(error) || attempt > policy.retries) {
                if (error instanceof Error && !error.message.startsWith(`${what}: `))
                    error.message = `${what}: ${error.message}`;
                throw error;
            }
            await sleep(retryDelayMs(attempt, policy), options.signal);
        }
    }
}


/***/ }),

/***/ 7701:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Cy: () => (/* binding */ Code),
/* harmony export */   Ix: () => (/* binding */ facts),
/* harmony export */   R_: () => (/* binding */ heading),
/* harmony export */   Sy: () => (/* binding */ writeSummary),
/* harmony export */   a3: () => (/* binding */ formatDuration),
/* harmony export */   tp: () => (/* binding */ table),
/* harmony export */   z3: () => (/* binding */ formatBytes)
/* harmony export */ });
/* unused harmony exports cell, code */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/**
 * Job summary building blocks: pure markdown rendering (tested as strings) and one writer that
 * appends to $GITHUB_STEP_SUMMARY.
 */

/** Escapes a value for a markdown table cell: pipes, newlines and HTML never break the table. */
function cell(value) {
    const text = value === undefined || value === null ? '' : String(value);
    return text
        .replaceAll('&', '&amp;')
        .replaceAll('<', '&lt;')
        .replaceAll('>', '&gt;')
        .replaceAll('|', '\\|')
        .replace(/\r?\n/g, '<br>');
}
/** Inline code that survives backticks in the value. */
function code(value) {
    const fence = value.includes('`') ? '``' : '`';
    return `${fence}${value.replace(/\r?\n/g, ' ')}${fence}`;
}
function table(headers, rows) {
    const head = `| ${headers.map(cell).join(' | ')} |`;
    const rule = `| ${headers.map(() => '---').join(' | ')} |`;
    const body = rows.map((row) => `| ${headers.map((_, i) => cellOrCode(row[i])).join(' | ')} |`);
    return [head, rule, ...body].join('\n');
}
/** A value already rendered as inline code is kept; anything else is escaped. */
function cellOrCode(value) {
    if (value instanceof Code)
        return value.text;
    return cell(value);
}
/** Marks a table value to be shown as inline code. */
class Code {
    text;
    constructor(value) {
        this.text = code(value).replaceAll('|', '\\|');
    }
}
function heading(text, level = 3) {
    return `${'#'.repeat(level)} ${cell(text)}`;
}
/** Two-column key/value table, the shape most action summaries need. */
function facts(rows) {
    return table(['', ''], rows);
}
function formatBytes(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
function formatDuration(ms) {
    if (ms < 1000)
        return `${Math.round(ms)} ms`;
    if (ms < 60_000)
        return `${(ms / 1000).toFixed(1)} s`;
    const minutes = Math.floor(ms / 60_000);
    const seconds = Math.round((ms % 60_000) / 1000);
    return `${minutes} min ${seconds} s`;
}
/** Appends markdown blocks to the job summary file, when the runner provides one. */
function writeSummary(blocks, file = process.env.GITHUB_STEP_SUMMARY) {
    if (!file)
        return;
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.appendFileSync)(file, `${blocks.join('\n\n')}\n\n`);
}


/***/ }),

/***/ 2450:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ hasControlCharacter),
/* harmony export */   g: () => (/* binding */ printable)
/* harmony export */ });
/** Small text checks shared by input parsing and reference parsing. */
/** True when the text holds a C0 control character (newline, NUL, escape…) or DEL. */
function hasControlCharacter(text) {
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x20 || c === 0x7f)
            return true;
    }
    return false;
}
/**
 * Text from elsewhere (a registry's media types and annotations) made safe for one log line:
 * control characters shown as \uXXXX, so a newline in it cannot start a line the runner would
 * read as a workflow command (::add-mask::, ::error::…), and cut to `max` characters.
 */
function printable(text, max = 200) {
    let out = '';
    for (const ch of text.slice(0, max)) {
        const c = ch.charCodeAt(0);
        out += c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
    }
    return text.length > max ? `${out}…` : out;
}


/***/ }),

/***/ 9556:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ runUrl),
/* harmony export */   e: () => (/* binding */ readGitContext)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/**
 * The GitHub context the actions need, read from the runner's environment and event payload
 * (a plain object, so tag rules and labels are pure functions of it).
 */

function readGitContext(env = process.env, now = new Date()) {
    let payload = {};
    const eventPath = env.GITHUB_EVENT_PATH;
    if (eventPath && (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(eventPath)) {
        try {
            payload = JSON.parse((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(eventPath, 'utf8'));
        }
        catch {
            payload = {};
        }
    }
    const pr = payload.pull_request?.number ?? prNumberFromRef(env.GITHUB_REF ?? '');
    // What actions/checkout checks out, and so what is built: GITHUB_SHA (on pull_request the merge
    // commit, not the head). The head is kept apart, for a tag that asks for it.
    const sha = env.GITHUB_SHA ?? '';
    const headSha = payload.pull_request?.head?.sha;
    const license = payload.repository?.license?.spdx_id;
    return {
        eventName: env.GITHUB_EVENT_NAME ?? '',
        ref: env.GITHUB_REF ?? '',
        sha,
        ...(headSha && { headSha }),
        runNumber: Number(env.GITHUB_RUN_NUMBER ?? '0') || 0,
        runId: env.GITHUB_RUN_ID ?? '',
        runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
        repository: env.GITHUB_REPOSITORY ?? '',
        serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
        ...(payload.repository?.default_branch && { defaultBranch: payload.repository.default_branch }),
        ...(pr !== undefined && { pullRequest: pr }),
        ...((payload.pull_request?.head?.ref ?? env.GITHUB_HEAD_REF) && {
            headRef: payload.pull_request?.head?.ref ?? env.GITHUB_HEAD_REF,
        }),
        workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
        actor: env.GITHUB_ACTOR ?? '',
        now,
        ...(payload.repository?.description && { description: payload.repository.description }),
        ...(license && license !== 'NOASSERTION' && { license }),
        ...(env.SLIPWAY_LOCAL_CHANGES && { localChanges: env.SLIPWAY_LOCAL_CHANGES }),
    };
}
function prNumberFromRef(ref) {
    const match = /^refs\/pull\/(\d+)\//.exec(ref);
    return match ? Number(match[1]) : undefined;
}
/** URL of the workflow run, for labels and audit logs. */
function runUrl(ctx) {
    return ctx.repository && ctx.runId ? `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}` : '';
}


/***/ }),

/***/ 2146:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   S4: () => (/* binding */ readPromoteRequest),
/* harmony export */   US: () => (/* binding */ clientsFor)
/* harmony export */ });
/* unused harmony exports DEFAULT_PLATFORM, readInsecure */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _common_inputs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9184);
/* harmony import */ var _common_reference__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3160);
/* harmony import */ var _common_mutable_tags__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(3773);
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(8682);
/** The inputs of promote-between-registries, checked before any request is made. */





function credentials(inputs, prefix) {
    const username = inputs.line(`${prefix}-username`);
    const password = inputs.string(`${prefix}-password`);
    if (username && !password)
        throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${prefix}-password`, `is required when ${prefix}-username is given`);
    if (password && !username)
        throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${prefix}-username`, `is required when ${prefix}-password is given`);
    return username ? { username, password } : undefined;
}
const DEFAULT_PLATFORM = 'linux/amd64';
const PLATFORM_RE = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const REGISTRY_RE = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/;
/** `insecure`: true (every registry named), false/empty (none), or registries (host[:port]) one a line. */
function readInsecure(inputs, references) {
    const raw = inputs.string('insecure').trim();
    if (raw === '' || raw === 'false')
        return [];
    if (raw === 'true')
        return [...new Set(references.map((r) => r.registry))];
    const registries = inputs.list('insecure', { commas: true });
    for (const registry of registries) {
        // As in an image reference, a registry has a dot or a port, or is localhost.
        const looksLikeRegistry = /[.:]/.test(registry) || registry === 'localhost';
        if (!REGISTRY_RE.test(registry) || !looksLikeRegistry)
            throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('insecure', `${JSON.stringify(registry)} is not a registry (host or host:port, no scheme or path), nor true or false`);
    }
    return registries;
}
function readPromoteRequest(inputs) {
    const sources = inputs.parsedList('source', (v) => (0,_common_reference__WEBPACK_IMPORTED_MODULE_2__/* .parseReference */ .F2)(v), { required: true });
    const destinations = inputs.parsedList('destination', (v) => (0,_common_reference__WEBPACK_IMPORTED_MODULE_2__/* .parseReference */ .F2)(v, { repositoryOnly: true }), {
        required: true,
    });
    const tags = inputs.list('tags', { commas: true });
    for (const tag of tags) {
        if (!(0,_common_reference__WEBPACK_IMPORTED_MODULE_2__/* .isValidTag */ .r_)(tag))
            throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('tags', `${JSON.stringify(tag)} is not a valid tag`);
    }
    const expected = inputs.list('expected-digest');
    for (const digest of expected) {
        if (!(0,_common_reference__WEBPACK_IMPORTED_MODULE_2__/* .isSha256Digest */ .q9)(digest))
            throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('expected-digest', `${JSON.stringify(digest)} is not a sha256:… digest`);
    }
    if (expected.length > 0 && expected.length !== sources.length) {
        throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('expected-digest', `give one digest per source (${sources.length}), got ${expected.length}`);
    }
    if (sources.length > 1 && destinations.length !== sources.length) {
        throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('destination', `a set of ${sources.length} sources needs ${sources.length} destinations, one per source in the same order`);
    }
    const pairs = [];
    sources.forEach((source, i) => {
        const targets = sources.length === 1 ? destinations : [destinations[i]];
        const pairTags = tags.length > 0 ? tags : source.tag ? [source.tag] : [];
        // A source by digest only with no tags is copied by digest: nothing is tagged.
        if (pairTags.length === 0 && !source.digest) {
            throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('tags', `${(0,_common_reference__WEBPACK_IMPORTED_MODULE_2__/* .formatReference */ .FH)(source)} has no tag to carry over: give the tags to set`);
        }
        for (const destination of targets) {
            pairs.push({
                source,
                destination,
                tags: pairTags,
                ...(expected[i] && { expectedDigest: expected[i] }),
            });
        }
    });
    const caFile = inputs.line('ca-file');
    let ca;
    if (caFile) {
        try {
            ca = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(caFile, 'utf8');
        }
        catch (error) {
            throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('ca-file', `cannot be read: ${error.message}`);
        }
    }
    const insecure = readInsecure(inputs, [...sources, ...destinations]);
    const platform = inputs.line('platform') || DEFAULT_PLATFORM;
    if (!PLATFORM_RE.test(platform))
        throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('platform', `${JSON.stringify(platform)} is not os/arch or os/arch/variant (e.g. linux/arm64)`);
    const mutableTags = inputs.list('mutable-tags', { commas: true });
    for (const pattern of mutableTags) {
        if (!(0,_common_mutable_tags__WEBPACK_IMPORTED_MODULE_4__/* .isValidMutableTagPattern */ .xN)(pattern))
            throw new _common_inputs__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('mutable-tags', `${JSON.stringify(pattern)} is not a tag or a tag pattern with *`);
    }
    const sourceCredentials = credentials(inputs, 'source');
    const destinationCredentials = credentials(inputs, 'destination');
    return {
        pairs,
        options: {
            allowOverwrite: inputs.boolean('allow-overwrite', false),
            mutableTags: mutableTags.length > 0 ? mutableTags : _common_mutable_tags__WEBPACK_IMPORTED_MODULE_4__/* .DEFAULT_MUTABLE_TAGS */ .Fg,
            allPlatforms: inputs.boolean('all-platforms', true),
            platform,
            concurrency: inputs.integer('concurrency', 4, { min: 1, max: 64 }),
            dryRun: inputs.boolean('dry-run', false),
            referrers: inputs.boolean('referrers', true),
        },
        ...(sourceCredentials && { sourceCredentials }),
        ...(destinationCredentials && { destinationCredentials }),
        ...(ca && { ca }),
        insecure,
    };
}
/** One client per registry and role (errors name the role); `signal` aborts all their requests. */
function clientsFor(request, signal) {
    const cache = new Map();
    const make = (registry, creds, role) => {
        const key = `${role}|${registry}|${creds?.username ?? ''}|${creds?.password ?? ''}`;
        let client = cache.get(key);
        if (!client) {
            client = new _registry_client__WEBPACK_IMPORTED_MODULE_3__/* .RegistryClient */ .bP(registry, {
                ...(creds && { credentials: creds }),
                insecure: request.insecure.includes(registry),
                ...(request.ca && { ca: request.ca }),
                ...(signal && { signal }),
                role,
            });
            cache.set(key, client);
        }
        return client;
    };
    return {
        source: (registry) => make(registry, request.sourceCredentials, 'source'),
        destination: (registry) => make(registry, request.destinationCredentials, 'destination'),
    };
}


/***/ }),

/***/ 7827:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C3: () => (/* binding */ discoverReferrers),
/* harmony export */   V9: () => (/* binding */ writeReferrer),
/* harmony export */   ve: () => (/* binding */ putManifestKeepingSubject)
/* harmony export */ });
/* unused harmony exports MAX_REFERRER_DEPTH, MAX_REFERRERS, MAX_REFERRER_BYTES */
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8682);
/* harmony import */ var _common_pool__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(3211);
/* harmony import */ var _registry_descriptor__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(206);
/* harmony import */ var _registry_image_tree__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4731);
/* harmony import */ var _registry_referrers__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9191);
/* harmony import */ var _supply_chain_promotion__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(558);
/**
 * Referrers travel with the image: everything that refers to a copied manifest — OCI 1.1
 * referrers (a manifest with `subject`), found through the source's referrers API or, where it has
 * none, its `sha256-<hex>` fallback tag; and cosign's `sha256-<hex>.sig`, `.att` and `.sbom` tags —
 * recursively (the signature of an attestation), written at the destination the way it supports.
 *
 * At the destination:
 * - a referrer with `subject` is put by digest; a registry that answers OCI-Subject keeps the list
 *   itself, any other gets the fallback tag `sha256-<hex>` of the subject, merged (entries already
 *   there are kept, ours appended);
 * - a cosign tag is put under the same tag. When the destination's tag holds another manifest,
 *   the destination's signatures are never dropped: if it has every layer (signature) of the
 *   source's, nothing changes; otherwise the source's missing layers are appended to the
 *   destination's manifest (cosign's own append), and the source's manifest is put by digest too,
 *   so what refers to it still resolves.
 *
 * Slipway's own promotion records (supply-chain/promotion.ts) are not carried onward: each says how
 * the image reached the registry it is in, so a production registry holds the records of the
 * promotions into it, and the referrer counts are those of the signatures, attestations and SBOMs.
 */







/**
 * Bounds of referrer discovery for one image, so a registry cannot make it endless or exhaust
 * memory: how deep referrers of referrers go, how many there are in all, and the bytes of their
 * manifests held together.
 */
const MAX_REFERRER_DEPTH = 8;
const MAX_REFERRERS = 1000;
const MAX_REFERRER_BYTES = 64 * 1024 * 1024;
/** Referrer manifests fetched at once. */
const REFERRER_FETCH_CONCURRENCY = 8;
const COSIGN_TYPES = {
    sig: 'cosign signature',
    att: 'cosign attestation',
    sbom: 'cosign SBOM',
};
async function referrersOf(client, repository, digest) {
    // All at once (one round trip): the fallback tag is read only to be used when there is no API.
    const [{ entries: listed, found }, ...cosign] = await Promise.all([
        (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .findReferrers */ .SX)(client, repository, digest),
        ..._registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .COSIGN_SUFFIXES */ .gG.map((suffix) => (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .getManifestIfAny */ .xy)(client, repository, (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .cosignTag */ .qv)(digest, suffix))),
    ]);
    // Promotion records stay where they were written: each says how the image reached that registry.
    const entries = listed.filter((e) => !(0,_supply_chain_promotion__WEBPACK_IMPORTED_MODULE_4__/* .isPromotionRecord */ .jM)(e));
    const manifests = await (0,_common_pool__WEBPACK_IMPORTED_MODULE_5__/* .runPool */ .k)(entries.map((e) => () => (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .getManifestIfAny */ .xy)(client, repository, e.digest)), REFERRER_FETCH_CONCURRENCY);
    const out = [];
    for (const [i, manifest] of manifests.entries()) {
        // An entry whose manifest is gone (a stale fallback index) has nothing to copy; one whose
        // subject is another manifest is not a referrer of this one, whatever the list says.
        if (!manifest || (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .subjectOf */ .et)(manifest.bytes) !== digest)
            continue;
        const entry = entries[i];
        const type = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .referrerDescriptor */ .xh)(manifest).artifactType ?? entry.artifactType ?? manifest.mediaType;
        if (type === _supply_chain_promotion__WEBPACK_IMPORTED_MODULE_4__/* .PROMOTION_ARTIFACT_TYPE */ .yz)
            continue;
        out.push({
            subject: digest,
            tree: await (0,_registry_image_tree__WEBPACK_IMPORTED_MODULE_2__/* .readImageTree */ .w6)(client, repository, manifest),
            found,
            // The manifest's own artifactType first: some registries list the config's media type instead.
            type,
        });
    }
    for (const [i, manifest] of cosign.entries()) {
        if (!manifest)
            continue;
        const suffix = _registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .COSIGN_SUFFIXES */ .gG[i];
        out.push({
            subject: digest,
            tree: await (0,_registry_image_tree__WEBPACK_IMPORTED_MODULE_2__/* .readImageTree */ .w6)(client, repository, manifest),
            found: 'cosign-tag',
            tag: (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .cosignTag */ .qv)(digest, suffix),
            type: COSIGN_TYPES[suffix],
        });
    }
    return out;
}
/**
 * Everything referring to `digests` in the source repository, recursively, each once, within
 * MAX_REFERRER_DEPTH, MAX_REFERRERS and MAX_REFERRER_BYTES (an error names the limit and `image`).
 */
async function discoverReferrers(client, repository, digests, image = `${repository}@${digests.at(-1) ?? ''}`) {
    const seen = new Set(digests);
    const listed = new Set();
    const out = [];
    let bytes = 0;
    const limit = (what) => new _registry_client__WEBPACK_IMPORTED_MODULE_0__/* .RegistryError */ .gl(`${client.label}: ${image} has ${what}; refusing to copy its referrers`, 0, undefined, false);
    let queue = [...digests];
    for (let depth = 1; queue.length > 0; depth++) {
        if (depth > MAX_REFERRER_DEPTH)
            throw limit(`referrers more than ${MAX_REFERRER_DEPTH} deep (MAX_REFERRER_DEPTH)`);
        const found = await (0,_common_pool__WEBPACK_IMPORTED_MODULE_5__/* .runPool */ .k)(queue.map((d) => () => referrersOf(client, repository, d)), REFERRER_FETCH_CONCURRENCY);
        queue = [];
        for (const referrer of found.flat()) {
            const key = `${referrer.tree.root.digest}|${referrer.tag ?? ''}`;
            if (listed.has(key))
                continue;
            listed.add(key);
            out.push(referrer);
            if (out.length > MAX_REFERRERS)
                throw limit(`more than ${MAX_REFERRERS} referrers (MAX_REFERRERS)`);
            bytes += referrer.tree.manifests.reduce((sum, m) => sum + m.bytes.length, 0);
            if (bytes > MAX_REFERRER_BYTES)
                throw limit(`more than ${MAX_REFERRER_BYTES} bytes of referrer manifests (MAX_REFERRER_BYTES)`);
            if (!seen.has(referrer.tree.root.digest)) {
                seen.add(referrer.tree.root.digest);
                queue.push(referrer.tree.root.digest);
            }
        }
    }
    return out;
}
async function putMissingChildren(target, tree) {
    for (const manifest of tree.manifests) {
        if (manifest.digest === tree.root.digest)
            continue;
        if (await target.destination.headManifest(target.destinationRepository, manifest.digest))
            continue;
        await target.destination.putManifest(target.destinationRepository, manifest.digest, manifest);
    }
}
/** Adds `manifest` to the destination's fallback tag of `subject`; false when it was listed already. */
async function registerInFallbackTag(target, subject, manifest) {
    const tag = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .fallbackTag */ .fH)(subject);
    const existing = await (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .getManifestIfAny */ .xy)(target.destination, target.destinationRepository, tag);
    let merged;
    try {
        merged = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .mergeFallbackIndex */ .pZ)(existing?.bytes, [(0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .referrerDescriptor */ .xh)(manifest)]);
    }
    catch {
        throw new Error(`${target.destination.label}: ${target.destinationRepository}:${tag} is not a referrers index (${existing?.mediaType}); it was left as it is`);
    }
    if (merged.added === 0)
        return false;
    if (!target.dryRun)
        await target.destination.putManifest(target.destinationRepository, tag, {
            bytes: merged.bytes,
            mediaType: existing?.mediaType || 'application/vnd.oci.image.index.v1+json',
        });
    return true;
}
/**
 * Puts a manifest that may have a subject (a referrer promoted by its own digest): a destination
 * that does not answer OCI-Subject gets it in the subject's fallback tag.
 */
async function putManifestKeepingSubject(destination, repository, manifest) {
    const subject = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .subjectOf */ .et)(manifest.bytes);
    if (!subject) {
        await destination.putManifest(repository, manifest.digest, manifest);
        return;
    }
    const { subjectKept } = await (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .putManifestWithSubject */ .NW)(destination, repository, manifest);
    if (!subjectKept)
        await registerInFallbackTag({ destination, destinationRepository: repository, dryRun: false }, subject, manifest);
}
function apiList(target, subject) {
    let list = target.apiLists.get(subject);
    if (!list) {
        list = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .listReferrers */ .xt)(target.destination, target.destinationRepository, subject);
        target.apiLists.set(subject, list);
    }
    return list;
}
async function writeSubjectReferrer(target, referrer, known) {
    const root = referrer.tree.root;
    const subject = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .subjectOf */ .et)(root.bytes) ?? referrer.subject;
    const present = known ?? (await target.destination.headManifest(target.destinationRepository, root.digest)) !== undefined;
    if (!present) {
        if (target.dryRun)
            return 'copy';
        await putMissingChildren(target, referrer.tree);
        const { subjectKept } = await (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .putManifestWithSubject */ .NW)(target.destination, target.destinationRepository, root);
        if (!subjectKept)
            await registerInFallbackTag(target, subject, root);
        target.apiLists.delete(subject);
        return 'copy';
    }
    const listed = await apiList(target, subject);
    // A registry with the referrers API keeps the list itself once the manifest is there.
    if (listed !== undefined)
        return 'present';
    return (await registerInFallbackTag(target, subject, root)) ? 'register' : 'present';
}
async function readConfig(client, repository, manifest) {
    const digest = JSON.parse(manifest.bytes.toString('utf8')).config
        ?.digest;
    if (!(0,_registry_descriptor__WEBPACK_IMPORTED_MODULE_1__/* .isDigest */ .Bc)(digest))
        throw new Error('it has no config');
    const res = await client.send({
        method: 'GET',
        path: `${repository}/blobs/${digest}`,
        scopes: [(0,_registry_client__WEBPACK_IMPORTED_MODULE_0__/* .pullScope */ .iH)(repository)],
    });
    await client.expect(res, [200], `GET blob ${repository}@${digest}`);
    return client.read(res, 4 * 1024 * 1024, `GET blob ${repository}@${digest}`);
}
async function writeCosignTag(target, referrer) {
    const tag = referrer.tag;
    const root = referrer.tree.root;
    const dst = target.destination;
    const repo = target.destinationRepository;
    const current = await dst.headManifest(repo, tag);
    if (current?.digest === root.digest)
        return 'present';
    if (!current) {
        if (target.dryRun)
            return 'copy';
        await putMissingChildren(target, referrer.tree);
        await dst.putManifest(repo, tag, root);
        return 'copy';
    }
    const theirs = await dst.getManifest(repo, tag);
    let merged;
    try {
        const add = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .missingLayers */ .Hd)(theirs.bytes, root.bytes);
        if (add.length === 0)
            return 'present';
        if (target.dryRun)
            return 'merge';
        merged = (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .mergeCosignManifest */ .RY)(theirs.bytes, await readConfig(dst, repo, theirs), add);
    }
    catch (error) {
        throw new Error(`${dst.label}: ${repo}:${tag} holds ${theirs.digest}, the source has ${root.digest}, and they cannot be merged (${error instanceof Error ? error.message : String(error)}); the destination's ${tag} was left as it is and nothing was tagged`);
    }
    // The source's own manifest too, by digest: what refers to it (a signature of an attestation) resolves.
    if (!(await dst.headManifest(repo, root.digest)))
        await dst.putManifest(repo, root.digest, root);
    await (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_3__/* .putSmallBlob */ .iT)(dst, repo, merged.config);
    await dst.putManifest(repo, tag, { bytes: merged.manifest, mediaType: theirs.mediaType });
    return 'merge';
}
/**
 * Writes one referrer at the destination (or, in a dry run, says what it would do); `present`:
 * whether its manifest is already there by digest, when the caller knows.
 */
function writeReferrer(target, referrer, present) {
    return referrer.found === 'cosign-tag'
        ? writeCosignTag(target, referrer)
        : writeSubjectReferrer(target, referrer, present);
}


/***/ }),

/***/ 9404:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  kQ: () => (/* binding */ blobExists),
  ti: () => (/* binding */ mountBlob),
  Ym: () => (/* binding */ openBlob),
  Qt: () => (/* binding */ putBlobBytes),
  LQ: () => (/* binding */ streamBlob)
});

// UNUSED EXPORTS: CANCEL_UPLOAD_TIMEOUT_MS, CHUNK_SIZE, UPLOAD_ANSWER_TIMEOUT_MS, VerifiedBlob, cancelUpload, putBlobChunked, putBlobStream, startUpload

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = require("node:stream");
;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = require("node:stream/promises");
// EXTERNAL MODULE: ./src/registry/client.ts + 5 modules
var registry_client = __nccwpck_require__(8682);
// EXTERNAL MODULE: ./src/registry/http.ts + 1 modules
var http = __nccwpck_require__(2785);
;// CONCATENATED MODULE: external "node:v8"
const external_node_v8_namespaceObject = require("node:v8");
;// CONCATENATED MODULE: external "node:vm"
const external_node_vm_namespaceObject = require("node:vm");
;// CONCATENATED MODULE: ./src/registry/memory.ts
/**
 * Keeping memory bounded while gigabytes stream through: every socket read is a fresh Buffer that
 * becomes garbage at once, but V8 only collects when its own heuristics say so, and the buffers'
 * memory lives outside the JS heap — so a 1 GB layer pushed the process past 100 MiB of RSS
 * with nothing actually in use (dead buffers waiting for V8's external-memory limit). A
 * young-generation collection every 1 MiB streamed frees them promptly: measured on a 256 MiB
 * layer, peak RSS 103 MiB collecting every 16 MiB, 70 MiB every 1–2 MiB, for the same CPU time
 * within noise (a scavenge of a nearly empty young generation is a fraction of a millisecond).
 * On a 1 GiB layer (the action bundle, Node 24): peak RSS 150 MiB without collecting, 94 every
 * 8 MiB, 86 every 4, 78 every 2, 72–73 every 1, 71–72 every ½ or ¼ MiB (what is left is Node
 * itself: `node -e 0` is 43 MiB, with http and https loaded 51); 1,000 minor collections cost
 * about 0.1 s of CPU, a few percent of the copy's.
 * Without access to the collector this is a no-op.
 */


const EVERY_BYTES = 1024 * 1024;
let collect;
let sinceLast = 0;
function collector() {
    if (collect !== undefined)
        return collect;
    try {
        (0,external_node_v8_namespaceObject.setFlagsFromString)('--expose-gc');
        collect = (0,external_node_vm_namespaceObject.runInNewContext)('gc');
    }
    catch {
        collect = null;
    }
    return collect;
}
/** Call with the size of each chunk streamed; collects young garbage every 1 MiB. */
function streamed(bytes) {
    sinceLast += bytes;
    if (sinceLast < EVERY_BYTES)
        return;
    sinceLast = 0;
    collector()?.({ type: 'minor' });
}

// EXTERNAL MODULE: ./src/registry/stall.ts
var stall = __nccwpck_require__(2485);
;// CONCATENATED MODULE: ./src/registry/blobs.ts
/**
 * Blob operations of the distribution API on a RegistryClient: existence, cross-repository
 * mount, and uploads streamed from a source (monolithic PUT, or chunked PATCH for registries
 * that need it), hashed on the fly and never buffered whole.
 */







const CHUNK_SIZE = 16 * 1024 * 1024;
/**
 * Silence allowed on an upload's connection (the body itself is watched for stalls): a registry
 * may take minutes to answer once it has the whole blob (committing it to object storage).
 */
const UPLOAD_ANSWER_TIMEOUT_MS = 600_000;
/** How long a cancelled copy waits for the destination to drop its upload session. */
const CANCEL_UPLOAD_TIMEOUT_MS = 500;
async function blobExists(client, repository, digest) {
    const res = await client.send({
        method: 'HEAD',
        path: `${repository}/blobs/${digest}`,
        scopes: [(0,registry_client/* pullScope */.iH)(repository)],
    });
    (0,http/* discard */.vf)(res);
    if (res.status === 404)
        return false;
    await client.expect(res, [200], `HEAD blob ${repository}@${digest}`);
    return true;
}
async function openBlob(client, repository, digest) {
    const res = await client.send({
        method: 'GET',
        path: `${repository}/blobs/${digest}`,
        scopes: [(0,registry_client/* pullScope */.iH)(repository)],
    });
    return client.expect(res, [200], `GET blob ${repository}@${digest}`);
}
function uploadUrl(res, base, label = 'registry') {
    const location = (0,http/* header */.wx)(res, 'location');
    if (!location)
        throw new registry_client/* RegistryError */.gl(`${label}: upload answered ${res.status} without a Location`, res.status);
    try {
        return new URL(location, base).toString();
    }
    catch {
        throw new registry_client/* RegistryError */.gl(`${label}: upload answered ${res.status} with an unusable Location`, 502);
    }
}
/**
 * Drops an upload session a cancelled copy leaves (best effort, briefly: the run is ending), so
 * the destination does not keep its partial data until its own purge.
 */
async function cancelUpload(client, repository, upload) {
    try {
        const res = await client.send({
            method: 'DELETE',
            path: upload,
            scopes: [(0,registry_client/* pushScope */.Xu)(repository)],
            signal: AbortSignal.timeout(CANCEL_UPLOAD_TIMEOUT_MS),
        });
        (0,http/* discard */.vf)(res);
    }
    catch {
        // the registry purges abandoned uploads itself
    }
}
/**
 * Mounts a blob from another repository of the same registry. A 202 means the registry started
 * an upload instead (distribution answers so when it cannot mount): that upload is returned for use.
 */
async function mountBlob(client, repository, digest, from) {
    const res = await client.send({
        method: 'POST',
        path: `${repository}/blobs/uploads/`,
        query: { mount: digest, from },
        scopes: [(0,registry_client/* pushScope */.Xu)(repository), (0,registry_client/* pullScope */.iH)(from)],
    });
    (0,http/* discard */.vf)(res);
    if (res.status === 201)
        return { mounted: true };
    await client.expect(res, [202], `mount ${digest} from ${from} into ${repository}`);
    return { mounted: false, uploadUrl: uploadUrl(res, await client.base(), client.label) };
}
async function startUpload(client, repository) {
    const res = await client.send({
        method: 'POST',
        path: `${repository}/blobs/uploads/`,
        scopes: [(0,registry_client/* pushScope */.Xu)(repository)],
    });
    (0,http/* discard */.vf)(res);
    await client.expect(res, [202], `start upload to ${repository}`);
    return uploadUrl(res, await client.base(), client.label);
}
/**
 * A pass-through that hashes and counts a blob: more bytes than its size fail at once (before
 * they are passed on), fewer at the end fail, a digest that does not match fails, and a transfer
 * that stops moving fails (stall.ts), blaming the side that stopped.
 */
class VerifiedBlob extends external_node_stream_namespaceObject.Transform {
    check;
    hash;
    watch;
    bytes = 0;
    /** Why the blob was refused (set before the stream errors). */
    failure;
    constructor(check) {
        super();
        this.check = check;
        this.hash = (0,external_node_crypto_.createHash)(check.digest.slice(0, check.digest.indexOf(':')));
        this.watch = (0,stall/* watchStall */.Uy)(() => {
            const blocked = this.readableLength >= this.readableHighWaterMark;
            this.fail(new registry_client/* RegistryError */.gl(`${check.stalled(blocked)} (${(0,stall/* stallWindowText */.W9)()})`, 0, 'ETIMEDOUT', true));
        });
    }
    /**
     * The source's body failed (cut, reset): that is the failure, even though it reaches the upload
     * too (which would otherwise report it as the destination's).
     */
    sourceFailed(error) {
        this.failure ??= error;
    }
    fail(error) {
        this.failure ??= error;
        this.watch.stop();
        this.destroy(this.failure);
        return this.failure;
    }
    _transform(chunk, _encoding, callback) {
        this.bytes += chunk.length;
        if (this.bytes > this.check.size) {
            callback(this.fail(new registry_client/* RegistryError */.gl(`${this.check.what} is longer than its descriptor's ${this.check.size} bytes; nothing past them was sent`, 502, undefined, false)));
            return;
        }
        this.hash.update(chunk);
        this.watch.progress(chunk.length);
        streamed(chunk.length);
        callback(null, chunk);
    }
    _flush(callback) {
        this.watch.stop();
        if (this.bytes < this.check.size) {
            callback(this.fail(new registry_client/* RegistryError */.gl(`${this.check.what} ended after ${this.bytes} of its ${this.check.size} bytes`, 502, undefined, false)));
            return;
        }
        const actual = `${this.check.digest.slice(0, this.check.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
        if (actual !== this.check.digest) {
            callback(this.fail(new registry_client/* RegistryError */.gl(`${this.check.what} hashed to ${actual}`, 502)));
            return;
        }
        callback();
    }
    _destroy(error, callback) {
        this.watch.stop();
        callback(error);
    }
}
function withDigest(url, digest) {
    const u = new URL(url);
    u.searchParams.set('digest', digest);
    return u.toString();
}
/** Monolithic upload: one PUT carrying the whole blob as a stream. */
async function putBlobStream(client, repository, upload, digest, size, body) {
    return client.send({
        method: 'PUT',
        path: withDigest(upload, digest),
        scopes: [(0,registry_client/* pushScope */.Xu)(repository)],
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body,
        timeoutMs: UPLOAD_ANSWER_TIMEOUT_MS,
    });
}
/** Chunked upload: PATCH chunks of CHUNK_SIZE with Content-Range, then PUT to close. */
async function putBlobChunked(client, repository, upload, digest, body, chunkSize = CHUNK_SIZE) {
    let url = upload;
    let offset = 0;
    let pending = [];
    let pendingSize = 0;
    const flush = async () => {
        if (pendingSize === 0)
            return;
        const chunk = Buffer.concat(pending, pendingSize);
        pending = [];
        pendingSize = 0;
        const res = await client.send({
            method: 'PATCH',
            path: url,
            scopes: [(0,registry_client/* pushScope */.Xu)(repository)],
            headers: {
                'content-type': 'application/octet-stream',
                'content-range': `${offset}-${offset + chunk.length - 1}`,
                'content-length': String(chunk.length),
            },
            body: chunk,
        });
        (0,http/* discard */.vf)(res);
        await client.expect(res, [202], `PATCH upload chunk at ${offset}`);
        url = uploadUrl(res, await client.base(), client.label);
        offset += chunk.length;
    };
    for await (const data of body) {
        pending.push(data);
        pendingSize += data.length;
        if (pendingSize >= chunkSize)
            await flush();
    }
    await flush();
    return client.send({
        method: 'PUT',
        path: withDigest(url, digest),
        scopes: [(0,registry_client/* pushScope */.Xu)(repository)],
        headers: { 'content-length': '0' },
        body: Buffer.alloc(0),
    });
}
/**
 * Streams a blob from one registry into an upload at another through a VerifiedBlob: never more
 * than its size is sent, and what was sent is verified. Falls back to a chunked upload when the
 * registry refuses a monolithic PUT. A cancelled copy drops the destination's upload session.
 */
async function streamBlob(source, destination, digest, size) {
    const what = `${source.client.label}: blob ${digest} of ${source.repository}`;
    const check = {
        digest,
        size,
        what,
        stalled: (destinationBlocked) => destinationBlocked
            ? `${destination.client.label}: the upload of blob ${digest} to ${destination.repository} stalled (it stopped taking bytes)`
            : `${what} stalled (it stopped sending) while copying to ${destination.client.label}`,
    };
    const attempt = async (chunked, starting) => {
        // The source GET and the destination's upload session start together: one round trip less.
        const [opened, started] = await Promise.allSettled([
            openBlob(source.client, source.repository, digest),
            starting,
        ]);
        if (opened.status === 'rejected') {
            // Nothing was sent into an upload session that did start: the registry purges it.
            if (started.status === 'fulfilled' && destination.client.signal?.aborted)
                await cancelUpload(destination.client, destination.repository, started.value);
            throw opened.reason;
        }
        const res = opened.value;
        if (started.status === 'rejected') {
            res.body.destroy();
            throw started.reason;
        }
        const upload = started.value;
        const length = (0,http/* header */.wx)(res, 'content-length');
        if (length !== undefined && Number(length) !== size) {
            res.body.destroy();
            throw new registry_client/* RegistryError */.gl(`${what}: its Content-Length is ${Number(length)}, its descriptor says ${size} bytes`, 502, undefined, false);
        }
        // The source response streams through the verifier into the PUT (or the chunker).
        const verified = new VerifiedBlob(check);
        // Before the pipeline's own listener: the source's error is recorded as the source's first.
        res.body.once('error', (error) => {
            if (!source.client.signal?.aborted)
                verified.sourceFailed(source.client.networkError(error, `GET blob ${digest} of ${source.repository}`));
        });
        (0,external_node_stream_namespaceObject.pipeline)(res.body, verified, () => { });
        let putting = chunked
            ? putBlobChunked(destination.client, destination.repository, upload, digest, verified)
            : putBlobStream(destination.client, destination.repository, upload, digest, size, verified);
        const piping = (0,promises_namespaceObject.finished)(verified);
        // If the destination answers (or fails) before taking the whole body, stop reading the source.
        putting = putting.then((put) => {
            if (put.status !== 201 && put.status !== 202)
                verified.destroy();
            return put;
        }, (error) => {
            verified.destroy();
            throw error;
        });
        const [piped, put] = await Promise.allSettled([piping, putting]);
        if (destination.client.signal?.aborted) {
            await cancelUpload(destination.client, destination.repository, upload);
            destination.client.checkAborted();
        }
        // What the source sent is judged first: a body too long, too short or corrupt is the source's
        // fault whatever the destination answered (a registry that checks refuses it with 400, not to
        // be mistaken for one that refuses monolithic uploads); a stall names the side that stalled.
        if (verified.failure) {
            if (put.status === 'fulfilled')
                (0,http/* discard */.vf)(put.value);
            throw verified.failure;
        }
        if (put.status === 'rejected')
            throw put.reason;
        if (put.value.status !== 201)
            return { res: put.value, bytes: 0 };
        if (piped.status === 'rejected')
            throw piped.reason;
        return { res: put.value, bytes: verified.bytes };
    };
    const first = destination.upload
        ? Promise.resolve(destination.upload)
        : startUpload(destination.client, destination.repository);
    const monolithic = await attempt(false, first);
    if (monolithic.res.status === 201) {
        (0,http/* discard */.vf)(monolithic.res);
        return { bytes: monolithic.bytes, chunked: false };
    }
    if (![400, 405, 413, 415, 416].includes(monolithic.res.status)) {
        await destination.client.expect(monolithic.res, [201], `PUT blob ${digest} to ${destination.repository}`);
    }
    (0,http/* discard */.vf)(monolithic.res);
    const chunked = await attempt(true, startUpload(destination.client, destination.repository));
    await destination.client.expect(chunked.res, [201], `chunked upload of ${digest} to ${destination.repository}`);
    (0,http/* discard */.vf)(chunked.res);
    return { bytes: chunked.bytes, chunked: true };
}
/** Uploads a small blob held in memory (monolithic POST + PUT), unless the repository has it already. */
async function putBlobBytes(client, repository, bytes) {
    const digest = `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
    if (await blobExists(client, repository, digest))
        return { digest, size: bytes.length };
    const upload = await startUpload(client, repository);
    const res = await client.send({
        method: 'PUT',
        path: withDigest(upload, digest),
        scopes: [(0,registry_client/* pushScope */.Xu)(repository)],
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        body: bytes,
    });
    await client.expect(res, [201], `PUT blob ${digest} to ${repository}`);
    (0,http/* discard */.vf)(res);
    return { digest, size: bytes.length };
}


/***/ }),

/***/ 8682:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Z2: () => (/* binding */ MEDIA_TYPES),
  bP: () => (/* binding */ RegistryClient),
  gl: () => (/* binding */ RegistryError),
  $d: () => (/* binding */ isRetryableError),
  iH: () => (/* binding */ pullScope),
  Xu: () => (/* binding */ pushScope),
  sc: () => (/* binding */ sha256)
});

// UNUSED EXPORTS: MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, answersPlainHttp, isLoopbackRegistry, plainHttpFirst

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: ./src/common/reference.ts
var reference = __nccwpck_require__(3160);
;// CONCATENATED MODULE: ./src/registry/challenge.ts
/** Parsing WWW-Authenticate challenges (RFC 7235) as registries send them. */
/** Parses `Bearer realm="https://auth",service="registry",scope="repository:a:pull"` and `Basic realm="x"`. */
function parseChallenge(header) {
    const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
    if (!match)
        return undefined;
    const scheme = match[1].toLowerCase();
    const params = {};
    const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
    for (const m of match[2].matchAll(re)) {
        params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    }
    return { scheme, params };
}

;// CONCATENATED MODULE: ./src/registry/diagnose.ts
/**
 * What went wrong on the way to a registry, in words: a refused connection, a certificate nobody
 * trusts, a server that does not speak TLS. Pure functions over Node's network and TLS errors.
 */
/** Certificate verification failures (Node's/OpenSSL's codes). */
const TLS_TRUST_CODES = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
    'CERT_SIGNATURE_FAILURE',
    'CERT_UNTRUSTED',
    'CERT_REJECTED',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'INVALID_CA',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** "registry host:port", or "source registry host:port" when the role is known. */
function registryLabel(registry, role) {
    return `${role ? `${role} ` : ''}registry ${registry}`;
}
function codeOf(error) {
    const code = error?.code;
    return typeof code === 'string' ? code : '';
}
/** Classifies a failed request (no HTTP answer) into a cause a person can act on. */
function classifyNetworkError(error) {
    const code = codeOf(error);
    // Node's hint about --use-system-ca is not ours to give: ca-file and insecure are.
    const message = (error instanceof Error ? error.message : String(error)).replace(/; if the root CA is installed locally.*$/s, '');
    if (code === 'ECONNREFUSED')
        return {
            kind: 'refused',
            text: 'cannot connect (connection refused: nothing listens there)',
            transient: true,
        };
    if (code === 'ENOTFOUND')
        return { kind: 'dns', text: 'cannot connect (host not found)', transient: false };
    if (code === 'EAI_AGAIN')
        return { kind: 'dns', text: 'cannot connect (name lookup failed)', transient: true };
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
        return { kind: 'unreachable', text: `cannot connect (${code}: no route)`, transient: true };
    if (code === 'ETIMEDOUT' || /timed out/i.test(message))
        return { kind: 'timeout', text: `cannot connect (timed out)`, transient: true };
    if (TLS_TRUST_CODES.has(code))
        return {
            kind: 'tls-trust',
            text: `TLS: certificate not trusted (use ca-file or insecure): ${message}`,
            transient: false,
        };
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
        code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
        code === 'ERR_SSL_HTTP_REQUEST' ||
        /wrong version number|packet length too long|http request/i.test(message))
        return {
            kind: 'not-tls',
            text: 'TLS: the registry does not answer HTTPS (list it in insecure to use plain HTTP)',
            transient: false,
        };
    if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO')
        return { kind: 'tls', text: `TLS: ${message}`, transient: false };
    if (code === 'ECONNRESET' ||
        code === 'EPIPE' ||
        /socket hang up|ECONNRESET|other side closed/i.test(message))
        return { kind: 'reset', text: `connection lost (${code || message})`, transient: true };
    return { kind: 'other', text: message, transient: false };
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = require("node:child_process");
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
;// CONCATENATED MODULE: ./src/command/local-runner.ts


/**
 * The environment a child process gets: ours without the action's inputs. The runner hands every
 * input (private keys, passwords, signing keys among them) to the action as INPUT_* variables;
 * docker, ssh or buildx have no use for them, and a child's environment is readable in
 * /proc/<pid>/environ for as long as it runs.
 */
function childEnv(env) {
    return Object.fromEntries(Object.entries(env).filter(([name]) => !/^INPUT_/i.test(name)));
}
/**
 * Runs commands on this machine with spawn(argv) — never through a shell. A command whose signal
 * (its own, else the runner's `cancel`) aborts gets SIGTERM, and the run ends with the abort's
 * reason only once the process has exited: nothing it does (a build pushing from its builder)
 * goes on after the step that started it.
 */
class LocalRunner {
    cancel;
    where = 'local';
    baseEnv;
    constructor(baseEnv = process.env, cancel) {
        this.cancel = cancel;
        this.baseEnv = childEnv(baseEnv);
    }
    run(command, options = {}) {
        const [file, ...args] = command.argv;
        if (!file)
            return Promise.reject(new Error('empty command'));
        const signal = options.signal ?? this.cancel;
        if (signal?.aborted)
            return Promise.reject(abortReason(signal));
        const started = performance.now();
        return new Promise((resolve, reject) => {
            const child = spawn(file, args, {
                env: { ...this.baseEnv, ...command.env },
                stdio: ['pipe', 'pipe', 'pipe'],
                signal,
            });
            const stdout = [];
            const stderr = [];
            let timedOut = false;
            const timer = command.timeoutMs !== undefined
                ? setTimeout(() => {
                    timedOut = true;
                    child.kill('SIGKILL');
                }, command.timeoutMs)
                : undefined;
            child.stdout.on('data', (chunk) => {
                stdout.push(chunk);
                options.onOutput?.(chunk.toString('utf8'), 'stdout');
            });
            child.stderr.on('data', (chunk) => {
                stderr.push(chunk);
                options.onOutput?.(chunk.toString('utf8'), 'stderr');
            });
            child.on('error', (error) => {
                // Aborted: the process was sent SIGTERM; 'close' says when it is gone.
                if (signal?.aborted && child.pid !== undefined)
                    return;
                if (timer)
                    clearTimeout(timer);
                reject(new Error(`cannot run ${file}: ${error.message}`));
            });
            child.on('close', (code, ended) => {
                if (timer)
                    clearTimeout(timer);
                if (signal?.aborted)
                    return reject(abortReason(signal));
                resolve({
                    exitCode: code ?? (ended ? 128 + signalNumber(ended) : 1),
                    stdout: Buffer.concat(stdout).toString('utf8'),
                    stderr: Buffer.concat(stderr).toString('utf8'),
                    durationMs: performance.now() - started,
                    timedOut,
                });
            });
            // A process that exits before reading its stdin makes the write fail with EPIPE: that is the
            // process's business (its exit code tells), not a crash of ours.
            child.stdin.on('error', () => { });
            child.stdin.end(command.stdin ?? '');
        });
    }
    openTcp(host, port) {
        return new Promise((resolve, reject) => {
            const socket = connect({ host, port });
            socket.once('connect', () => resolve(socket));
            socket.once('error', reject);
        });
    }
    async close() { }
}
function signalNumber(signal) {
    const numbers = {
        SIGINT: 2,
        SIGKILL: 9,
        SIGTERM: 15,
        SIGPIPE: 13,
    };
    return numbers[signal] ?? 0;
}
function abortReason(signal) {
    return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: ./src/registry/credentials.ts
/**
 * Registry credentials: given explicitly (inputs), or found the way docker finds them in
 * config.json — credHelpers for the registry, then credsStore, then auths.
 */






/** Keys docker uses for a registry in config.json (docker.io has a legacy URL form). */
function configKeys(registry) {
    if (registry === reference/* DEFAULT_REGISTRY */.sx) {
        return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
    }
    return [
        registry,
        `https://${registry}`,
        `http://${registry}`,
        `https://${registry}/v1/`,
        `https://${registry}/v2/`,
    ];
}
function dockerConfigPath(env = process.env) {
    return (0,external_node_path_.join)(env.DOCKER_CONFIG ?? (0,external_node_path_.join)((0,external_node_os_.homedir)(), '.docker'), 'config.json');
}
function runHelper(helper, registry) {
    return new Promise((resolve) => {
        const child = (0,external_node_child_process_namespaceObject.execFile)(`docker-credential-${helper}`, ['get'], { timeout: 15_000, env: childEnv(process.env) }, (error, stdout) => {
            if (error) {
                resolve(undefined);
                return;
            }
            try {
                const parsed = JSON.parse(stdout);
                resolve(parsed.Secret ? { username: parsed.Username ?? '', password: parsed.Secret } : undefined);
            }
            catch {
                resolve(undefined);
            }
        });
        child.stdin?.end(registry === reference/* DEFAULT_REGISTRY */.sx ? 'https://index.docker.io/v1/' : registry);
    });
}
/** Credentials for a registry from docker's config.json, or undefined (anonymous). */
async function credentialsFromDockerConfig(registry, configPath = dockerConfigPath()) {
    if (!(0,external_node_fs_.existsSync)(configPath))
        return undefined;
    let config;
    try {
        config = JSON.parse((0,external_node_fs_.readFileSync)(configPath, 'utf8'));
    }
    catch (error) {
        throw new Error(`cannot read ${configPath}: ${error instanceof Error ? error.message : error}`);
    }
    const keys = configKeys(registry);
    const helper = keys.map((k) => config.credHelpers?.[k]).find(Boolean);
    if (helper)
        return runHelper(helper, registry);
    if (config.credsStore) {
        const stored = await runHelper(config.credsStore, registry);
        if (stored)
            return stored;
    }
    for (const key of keys) {
        const entry = config.auths?.[key];
        if (!entry)
            continue;
        if (entry.auth) {
            const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
            const colon = decoded.indexOf(':');
            if (colon > 0)
                return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        }
        if (entry.username && entry.password)
            return { username: entry.username, password: entry.password };
        if (entry.identitytoken)
            return { username: '<token>', password: entry.identitytoken };
    }
    return undefined;
}

// EXTERNAL MODULE: ./src/registry/http.ts + 1 modules
var http = __nccwpck_require__(2785);
// EXTERNAL MODULE: ./src/common/text.ts
var common_text = __nccwpck_require__(2450);
// EXTERNAL MODULE: ./src/registry/descriptor.ts
var descriptor = __nccwpck_require__(206);
// EXTERNAL MODULE: ./src/common/retry.ts
var retry = __nccwpck_require__(9183);
;// CONCATENATED MODULE: ./src/registry/client.ts
/**
 * A client for the OCI distribution API: token and basic auth negotiated from the registry's
 * challenge (tokens cached per scope set, re-challenged on 401), retries with backoff on
 * transient failures (honouring Retry-After; never on 401/403/404), manifests as exact bytes,
 * blobs as streams.
 */









const MEDIA_TYPES = {
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    ociIndex: 'application/vnd.oci.image.index.v1+json',
};
/** Everything we can copy, so a registry never falls back to (or rewrites into) schema 1. */
const MANIFEST_ACCEPT = [
    MEDIA_TYPES.ociIndex,
    MEDIA_TYPES.dockerManifestList,
    MEDIA_TYPES.ociManifest,
    MEDIA_TYPES.dockerManifest,
].join(', ');
class RegistryError extends Error {
    status;
    code;
    /** Set for failures without an HTTP answer: whether a later attempt may succeed. */
    transient;
    constructor(message, status, code, transient) {
        super(message);
        this.name = 'RegistryError';
        this.status = status;
        if (code !== undefined)
            this.code = code;
        if (transient !== undefined)
            this.transient = transient;
    }
}
/** Worth retrying: a transient network failure or a retryable HTTP status. */
function isRetryableError(error) {
    if (error instanceof RegistryError)
        return error.transient ?? (0,retry/* isRetryableStatus */.PS)(error.status);
    return (0,retry/* isTransientNetworkError */.l)(error);
}
/** Loopback registries are reachable over plain HTTP, as docker treats them (127.0.0.0/8, ::1, localhost). */
function isLoopbackRegistry(registry) {
    const host = registry.replace(/:\d+$/, '');
    return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}
/**
 * Whether a registry is asked over plain HTTP before HTTPS: one on this machine with its port
 * named (a CI service container, a test registry), which speaks one protocol on that port. Without
 * a port, HTTP (80) and HTTPS (443) are different services: HTTPS goes first, as docker does.
 */
function plainHttpFirst(registry) {
    return isLoopbackRegistry(registry) && /:\d+$/.test(registry);
}
/**
 * Whether `host` answers GET /v2/ over plain HTTP as a registry does: 200, or 401 asking for
 * credentials. No credentials are sent and no redirect is followed; a TLS port answers 400.
 */
async function answersPlainHttp(host, timeoutMs = 3000) {
    try {
        const res = await (0,http/* request */.Em)({ method: 'GET', url: `http://${host}/v2/`, timeoutMs, maxRedirects: 0 });
        (0,http/* discard */.vf)(res);
        return res.status === 200 || res.status === 401;
    }
    catch {
        return false;
    }
}
const pullScope = (repository) => `repository:${repository}:pull`;
const pushScope = (repository) => `repository:${repository}:pull,push`;
function sha256(bytes) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
}
class RegistryClient {
    registry;
    options;
    baseUrl;
    /** "source registry host:port": what every error starts with. */
    label;
    credentials;
    scheme;
    realm;
    service;
    tokens = new Map();
    constructor(registry, options = {}) {
        this.registry = registry;
        this.options = options;
        this.label = registryLabel(registry, options.role);
    }
    /** An error for a request that got no HTTP answer, naming the registry, its role and the cause. */
    networkError(error, what) {
        if (error instanceof RegistryError)
            return error;
        const cause = classifyNetworkError(error);
        return new RegistryError(`${this.label}: ${cause.text}${what ? ` (${what})` : ''}`, 0, undefined, cause.transient);
    }
    /**
     * Credentials may travel over `url`: HTTPS; plain HTTP only to the registry itself when it is
     * insecure-listed or on loopback, or to another loopback host (a token server) of a loopback registry.
     */
    credentialsMayGoTo(url) {
        if (url.protocol === 'https:')
            return true;
        const registryHost = (0,reference/* registryApiHost */.Mb)(this.registry);
        if (url.host === registryHost)
            return this.options.insecure === true || isLoopbackRegistry(url.host);
        return isLoopbackRegistry(url.host) && isLoopbackRegistry(registryHost);
    }
    get signalOption() {
        return this.options.signal ? { signal: this.options.signal } : {};
    }
    /** The signal this client's requests are aborted with, for callers that wait on their own. */
    get signal() {
        return this.options.signal;
    }
    /** Throws the abort's reason once the client's signal is aborted. */
    checkAborted() {
        this.options.signal?.throwIfAborted();
    }
    /**
     * A whole small body, errors naming this registry and `what`: too large, stalled, cut. An abort
     * passes through as it is.
     */
    async read(res, limit, what) {
        try {
            return await (0,http/* readBody */.x8)(res, limit, `${this.label}: ${what}`);
        }
        catch (error) {
            this.checkAborted();
            if (error instanceof Error && error.message.startsWith(this.label))
                throw error;
            throw this.networkError(error, what);
        }
    }
    get tlsOptions() {
        return {
            ...(this.options.ca !== undefined && { ca: this.options.ca }),
            skipTlsVerify: this.options.insecure === true,
        };
    }
    /** GET /v2/ once: how to reach the registry, or why it cannot be reached (no retry when nothing listens). */
    async probe() {
        const host = (0,reference/* registryApiHost */.Mb)(this.registry);
        const plainAllowed = this.options.insecure === true || isLoopbackRegistry(this.registry);
        const policy = this.options.retry ?? retry/* DEFAULT_RETRY */.vI;
        // Most registries on this machine with a port speak plain HTTP: asked that way first, they
        // need no TLS set up at all (node:tls and its CA roots are about 20 ms of a short run).
        if (plainHttpFirst(this.registry) && (await answersPlainHttp(host)))
            return `http://${host}`;
        for (let attempt = 0;; attempt++) {
            try {
                const res = await (0,http/* request */.Em)({
                    method: 'GET',
                    url: `https://${host}/v2/`,
                    timeoutMs: 15_000,
                    ...this.tlsOptions,
                    ...this.signalOption,
                });
                (0,http/* discard */.vf)(res);
                return `https://${host}`;
            }
            catch (error) {
                const cause = classifyNetworkError(error);
                if (plainAllowed && (cause.kind === 'not-tls' || cause.kind === 'reset')) {
                    try {
                        const res = await (0,http/* request */.Em)({
                            method: 'GET',
                            url: `http://${host}/v2/`,
                            timeoutMs: 15_000,
                            ...this.signalOption,
                        });
                        (0,http/* discard */.vf)(res);
                        return `http://${host}`;
                    }
                    catch (plainError) {
                        throw this.networkError(plainError, 'over HTTPS and plain HTTP');
                    }
                }
                // A refused connection or a certificate is not worth waiting for; a dropped one may be.
                if ((cause.kind === 'reset' || (cause.kind === 'dns' && cause.transient)) &&
                    attempt < policy.retries) {
                    await (0,retry/* sleep */.yy)((0,retry/* retryDelayMs */.qO)(attempt + 1, policy), this.options.signal);
                    continue;
                }
                throw this.networkError(error);
            }
        }
    }
    /** https://host, or http://host for an insecure (or loopback) registry that does not speak TLS. */
    base() {
        if (!this.baseUrl) {
            const probing = this.probe();
            this.baseUrl = probing;
            // A failed probe is not remembered: the next call tries again.
            probing.catch(() => {
                if (this.baseUrl === probing)
                    this.baseUrl = undefined;
            });
        }
        return this.baseUrl;
    }
    creds() {
        this.credentials ??=
            this.options.credentials !== undefined || this.options.anonymous
                ? Promise.resolve(this.options.credentials)
                : credentialsFromDockerConfig(this.registry);
        return this.credentials;
    }
    async authorization(scopes) {
        if (this.scheme === 'basic') {
            const c = await this.creds();
            return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
        }
        if (this.scheme === 'bearer')
            return `Bearer ${(await this.token(scopes)).value}`;
        return undefined;
    }
    token(scopes, refresh = false) {
        const key = [...scopes].sort().join(' ');
        const cached = this.tokens.get(key);
        if (cached && !refresh) {
            return cached.then((t) => (t.expiresAt > Date.now() + 10_000 ? t : this.token(scopes, true)));
        }
        const fresh = this.fetchToken(scopes);
        this.tokens.set(key, fresh);
        fresh.catch(() => this.tokens.delete(key));
        return fresh;
    }
    async fetchToken(scopes) {
        if (!this.realm)
            throw new RegistryError(`${this.label}: bearer challenge without a realm`, 401);
        const url = new URL(this.realm);
        if (this.service)
            url.searchParams.set('service', this.service);
        for (const scope of scopes)
            url.searchParams.append('scope', scope);
        const c = await this.creds();
        const headers = {};
        if (c) {
            if (!this.credentialsMayGoTo(url))
                throw new RegistryError(`${this.label}: refusing to send credentials over plain HTTP to the token server ${url.host} (list the registry in insecure to allow it)`, 401);
            headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
        }
        let res;
        try {
            res = await (0,http/* request */.Em)({
                method: 'GET',
                url: url.toString(),
                headers,
                ...this.tlsOptions,
                ...this.signalOption,
                timeoutMs: 30_000,
            });
        }
        catch (error) {
            throw this.networkError(error, `token server ${url.host}`);
        }
        const body = await this.read(res, 1024 * 1024, `token from ${url.host}`);
        if (res.status !== 200) {
            const refused = res.status === 401 || res.status === 403;
            throw new RegistryError(refused && c
                ? `${this.label}: credentials refused by the token server ${url.host} (${res.status})`
                : `${this.label}: the token server ${url.host} refused ${scopes.join(' ')} (${res.status})${c ? '' : ' — no credentials were given or found for this registry'}`, refused ? res.status : 401);
        }
        let json;
        try {
            json = (0,descriptor/* parseJsonObject */.dw)(body, `${this.label}: the answer of the token server ${url.host}`);
        }
        catch (error) {
            throw new RegistryError(error.message, 401, undefined, false);
        }
        const value = typeof json.token === 'string' ? json.token : json.access_token;
        // A token goes into a header: Node refuses one with control characters, with a bare TypeError.
        if (typeof value !== 'string' || value === '' || !/^[\x21-\x7e]+$/.test(value))
            throw new RegistryError(`${this.label}: the token server ${url.host} returned no usable token`, 401);
        const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60;
        return { value, expiresAt: Date.now() + expiresIn * 1000 };
    }
    learnChallenge(res) {
        const challenge = parseChallenge((0,http/* header */.wx)(res, 'www-authenticate') ?? '');
        if (challenge?.scheme === 'bearer') {
            this.scheme = 'bearer';
            this.realm = challenge.params.realm;
            this.service = challenge.params.service;
        }
        else if (challenge?.scheme === 'basic') {
            this.scheme = 'basic';
        }
    }
    /** One API call: auth negotiated, transient failures retried while the body can be replayed. */
    async send(req) {
        const base = await this.base();
        const url = new URL(/^https?:\/\//.test(req.path) ? req.path : `${base}/v2/${req.path}`);
        for (const [k, v] of Object.entries(req.query ?? {}))
            url.searchParams.set(k, v);
        const replayable = req.body === undefined || Buffer.isBuffer(req.body);
        const policy = this.options.retry ?? retry/* DEFAULT_RETRY */.vI;
        let reauthenticated = false;
        for (let attempt = 0;; attempt++) {
            let res;
            // The registry's credentials go to the registry only: an upload Location naming another host
            // (storage behind the registry, or a hostile answer) gets none.
            const authorization = url.host === new URL(base).host ? await this.authorization(req.scopes) : undefined;
            if (authorization && !this.credentialsMayGoTo(url))
                throw new RegistryError(`${this.label}: refusing to send credentials over plain HTTP to ${url.host} (not listed in insecure)`, 401);
            try {
                res = await (0,http/* request */.Em)({
                    method: req.method,
                    url: url.toString(),
                    headers: { ...req.headers, ...(authorization && { authorization }) },
                    ...(req.body !== undefined && { body: req.body }),
                    ...this.tlsOptions,
                    ...(req.signal ? { signal: req.signal } : this.signalOption),
                    ...(req.timeoutMs !== undefined && { timeoutMs: req.timeoutMs }),
                });
            }
            catch (error) {
                if (!req.signal)
                    this.checkAborted();
                const cause = classifyNetworkError(error);
                // A refused connection after the registry answered once (a restart): a few quick tries only.
                const retries = cause.kind === 'refused' ? Math.min(2, policy.retries) : policy.retries;
                if (replayable && attempt < retries && cause.transient) {
                    const delay = (0,retry/* retryDelayMs */.qO)(attempt + 1, policy);
                    this.options.onRetry?.(`${req.method} ${url.pathname}`, attempt + 1, delay, cause.text);
                    await (0,retry/* sleep */.yy)(delay, this.options.signal);
                    continue;
                }
                throw this.networkError(error, `${req.method} ${url.pathname}`);
            }
            if (res.status === 401 && !reauthenticated && replayable) {
                (0,http/* discard */.vf)(res);
                reauthenticated = true;
                const before = this.scheme;
                this.learnChallenge(res);
                if (this.scheme === 'bearer')
                    await this.token(req.scopes, true);
                if (this.scheme === 'basic' && !(await this.creds())) {
                    throw new RegistryError(`${this.label}: authentication required and no credentials were given or found`, 401);
                }
                // Refused only when this request carried the credentials: requests sent at once before
                // the first challenge was learnt all meet it, and each is sent again with them.
                if (before === this.scheme && this.scheme === 'basic' && authorization) {
                    throw new RegistryError(`${this.label}: credentials refused (401)`, 401);
                }
                attempt -= 1;
                continue;
            }
            if (res.status === 401 && authorization) {
                (0,http/* discard */.vf)(res);
                throw new RegistryError(this.scheme === 'basic'
                    ? `${this.label}: credentials refused (401)`
                    : `${this.label}: access refused (401) for ${req.method} ${url.pathname}: the token does not grant ${req.scopes.join(' ')}`, 401);
            }
            if (replayable && (0,retry/* isRetryableStatus */.PS)(res.status) && attempt < policy.retries) {
                const delay = (0,retry/* retryDelayMs */.qO)(attempt + 1, policy, (0,http/* header */.wx)(res, 'retry-after'));
                (0,http/* discard */.vf)(res);
                this.options.onRetry?.(`${req.method} ${url.pathname}`, attempt + 1, delay, `HTTP ${res.status}`);
                await (0,retry/* sleep */.yy)(delay, this.options.signal);
                continue;
            }
            return res;
        }
    }
    /** Throws a RegistryError with the registry's own error text unless the status is expected. */
    async expect(res, statuses, what) {
        if (statuses.includes(res.status))
            return res;
        const body = await (0,http/* readBody */.x8)(res, 64 * 1024).catch(() => {
            this.checkAborted();
            return Buffer.alloc(0);
        });
        let detail = body.toString('utf8').trim().slice(0, 500);
        let code;
        try {
            const parsed = JSON.parse(detail);
            if (parsed.errors?.length) {
                code = parsed.errors[0]?.code;
                detail = parsed.errors.map((e) => `${e?.code}: ${e?.message}`).join('; ');
            }
        }
        catch {
            // not JSON: keep the text
        }
        // The registry's own words, made one printable line.
        detail = (0,common_text/* printable */.g)(detail, 500);
        if (typeof code !== 'string')
            code = undefined;
        throw new RegistryError(`${this.label}: ${what} failed (${res.status})${res.status === 401 ? ' — authentication required and no credentials were given or found' : ''}${detail ? `: ${detail}` : ''}`, res.status, code);
    }
    async headManifest(repository, reference) {
        const res = await this.send({
            method: 'HEAD',
            path: `${repository}/manifests/${reference}`,
            scopes: [pullScope(repository)],
            headers: { accept: MANIFEST_ACCEPT },
        });
        (0,http/* discard */.vf)(res);
        if (res.status === 404)
            return undefined;
        await this.expect(res, [200], `HEAD manifest ${repository}:${reference}`);
        const digest = (0,http/* header */.wx)(res, 'docker-content-digest');
        if (!digest) {
            // Some registries omit the digest on HEAD: fall back to GET and hash.
            const manifest = await this.getManifest(repository, reference);
            return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
        }
        if (!(0,descriptor/* isDigest */.Bc)(digest))
            throw new RegistryError(`${this.label}: HEAD manifest ${repository}:${reference}: Docker-Content-Digest ${(0,descriptor/* shown */.SP)(digest)} is not a digest`, 502, undefined, false);
        const mediaType = contentType(res);
        const size = Number((0,http/* header */.wx)(res, 'content-length') ?? 0);
        return {
            digest,
            mediaType: (0,descriptor/* isMediaType */.LA)(mediaType) ? mediaType : '',
            size: Number.isSafeInteger(size) && size >= 0 ? size : 0,
        };
    }
    /** The manifest's exact bytes; a digest reference is verified against the bytes. */
    async getManifest(repository, reference, scopes = [pullScope(repository)]) {
        const res = await this.send({
            method: 'GET',
            path: `${repository}/manifests/${reference}`,
            scopes,
            headers: { accept: MANIFEST_ACCEPT },
        });
        await this.expect(res, [200], `GET manifest ${repository}:${reference}`);
        const bytes = await this.read(res, MAX_MANIFEST_BYTES, `GET manifest ${repository}:${reference}`);
        const digest = sha256(bytes);
        if (reference.startsWith('sha256:') && digest !== reference) {
            throw new RegistryError(`${this.label}: ${repository}: manifest ${reference} has digest ${digest}`, 502);
        }
        const type = contentType(res);
        const mediaType = (0,descriptor/* isMediaType */.LA)(type) ? type : mediaTypeOf(bytes);
        return { bytes, digest, mediaType, size: bytes.length };
    }
    /** Puts exact manifest bytes under a tag or digest; returns the digest the registry reports. */
    async putManifest(repository, reference, manifest) {
        const res = await this.send({
            method: 'PUT',
            path: `${repository}/manifests/${reference}`,
            scopes: [pushScope(repository)],
            headers: { 'content-type': manifest.mediaType },
            body: manifest.bytes,
        });
        await this.expect(res, [200, 201], `PUT manifest ${repository}:${reference}`);
        (0,http/* discard */.vf)(res);
        const stored = (0,http/* header */.wx)(res, 'docker-content-digest');
        if (stored === undefined)
            return sha256(manifest.bytes);
        if (!(0,descriptor/* isDigest */.Bc)(stored))
            throw new RegistryError(`${this.label}: PUT manifest ${repository}:${reference}: Docker-Content-Digest ${(0,descriptor/* shown */.SP)(stored)} is not a digest`, 502, undefined, false);
        return stored;
    }
}
/** The largest manifest read (distribution's own limit is 4 MiB). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** The Content-Type's media type, parameters dropped ('' when none). */
function contentType(res) {
    return ((0,http/* header */.wx)(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
}
function mediaTypeOf(bytes) {
    try {
        const parsed = JSON.parse(bytes.toString('utf8'));
        if ((0,descriptor/* isMediaType */.LA)(parsed.mediaType))
            return parsed.mediaType;
        return parsed.manifests ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
    }
    catch {
        return MEDIA_TYPES.ociManifest;
    }
}


/***/ }),

/***/ 206:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bc: () => (/* binding */ isDigest),
/* harmony export */   Fn: () => (/* binding */ checkDescriptors),
/* harmony export */   JW: () => (/* binding */ InvalidContentError),
/* harmony export */   LA: () => (/* binding */ isMediaType),
/* harmony export */   SP: () => (/* binding */ shown),
/* harmony export */   YW: () => (/* binding */ checkDescriptor),
/* harmony export */   dw: () => (/* binding */ parseJsonObject),
/* harmony export */   kp: () => (/* binding */ isSize)
/* harmony export */ });
/* unused harmony exports checkDigest, checkMediaType */
/* harmony import */ var _common_text__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2450);
/**
 * What a registry says about content, checked before it is used: a digest goes into URL paths,
 * tags, file names and log lines, a size decides how many bytes are sent, a media type becomes a
 * Content-Type header. A hostile or broken registry can put anything in a manifest, so every
 * descriptor is validated once, where the manifest is parsed, and nothing downstream re-checks.
 * Pure functions; the errors say what was wrong (the bad value shown printable, never raw).
 */

/** The digest algorithms a client can verify, and their hex lengths (OCI image spec). */
const DIGEST_HEX_LENGTH = { sha256: 64, sha512: 128 };
/** A media type as RFC 6838 names one (type/subtype, restricted characters, 127 each), no parameters. */
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** A manifest or descriptor a registry sent that cannot be used as it is. */
class InvalidContentError extends Error {
    constructor(message) {
        super(message);
        this.name = 'InvalidContentError';
    }
}
/** The value as one safe, short log fragment: JSON for what is not a string. */
function shown(value) {
    if (typeof value === 'string')
        return `"${(0,_common_text__WEBPACK_IMPORTED_MODULE_0__/* .printable */ .g)(value, 80)}"`;
    if (value === undefined)
        return 'nothing';
    let text;
    try {
        text = JSON.stringify(value) ?? String(value);
    }
    catch {
        text = String(value);
    }
    return (0,_common_text__WEBPACK_IMPORTED_MODULE_0__/* .printable */ .g)(text, 80);
}
function isDigest(value) {
    if (typeof value !== 'string')
        return false;
    const colon = value.indexOf(':');
    const length = DIGEST_HEX_LENGTH[value.slice(0, colon)];
    return (length !== undefined && value.length === colon + 1 + length && /^[a-f0-9]+$/.test(value.slice(colon + 1)));
}
function isSize(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
function isMediaType(value) {
    return typeof value === 'string' && MEDIA_TYPE_RE.test(value);
}
/** A digest, or an error naming `what` and the value. */
function checkDigest(value, what) {
    if (!isDigest(value))
        throw new InvalidContentError(`${what}: digest ${shown(value)} is not sha256:<64 hex> or sha512:<128 hex>`);
    return value;
}
/** A media type (a Content-Type's parameters dropped), or an error naming `what` and the value. */
function checkMediaType(value, what) {
    if (!isMediaType(value))
        throw new InvalidContentError(`${what}: media type ${shown(value)} is not a media type`);
    return value;
}
/**
 * A descriptor ({digest, size, mediaType?}) checked: `what` names where it was found
 * ("layers[2]"). Other fields are left as they are, for the caller to read.
 */
function checkDescriptor(value, what) {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new InvalidContentError(`${what}: ${shown(value)} is not a descriptor`);
    const d = value;
    checkDigest(d.digest, what);
    if (!isSize(d.size))
        throw new InvalidContentError(`${what}: size ${shown(d.size)} is not a non-negative whole number of bytes`);
    if (d.mediaType !== undefined)
        checkMediaType(d.mediaType, what);
    return value;
}
/** Checks an optional array of descriptors (`manifests`, `layers`). */
function checkDescriptors(value, what) {
    if (value === undefined)
        return undefined;
    if (!Array.isArray(value))
        throw new InvalidContentError(`${what}: ${shown(value)} is not a list`);
    return value.map((d, i) => checkDescriptor(d, `${what}[${i}]`));
}
/** A JSON object from registry bytes, or an error naming `what` (no bare JSON.parse message). */
function parseJsonObject(bytes, what) {
    let value;
    try {
        value = JSON.parse(bytes.toString('utf8'));
    }
    catch (error) {
        throw new InvalidContentError(`${what} is not valid JSON (${(0,_common_text__WEBPACK_IMPORTED_MODULE_0__/* .printable */ .g)(error instanceof Error ? error.message : String(error), 120)})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new InvalidContentError(`${what} is not a JSON object`);
    return value;
}


/***/ }),

/***/ 2785:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  vf: () => (/* binding */ discard),
  wx: () => (/* binding */ header),
  x8: () => (/* binding */ readBody),
  Em: () => (/* binding */ request)
});

// UNUSED EXPORTS: DRAIN_LIMIT_BYTES, DRAIN_LIMIT_MS, IDLE_TIMEOUT_MS, StallError

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = require("node:http");
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_namespaceObject);
// EXTERNAL MODULE: ./src/registry/stall.ts
var stall = __nccwpck_require__(2485);
;// CONCATENATED MODULE: ./src/registry/http.ts
/**
 * A small HTTP client for the registry API on node:http/https: streaming bodies both ways (a
 * layer is never buffered whole), a custom CA, and redirects that never carry Authorization to
 * another host.
 */


/** A body not read (an error answer drained for keep-alive) is destroyed past this size or time. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const DRAIN_LIMIT_MS = 5_000;
/** Silence on a socket (no byte either way) that fails a request by default. */
const IDLE_TIMEOUT_MS = 2 * stall/* STALL_WINDOW_MS */.h3;
// node:https and node:tls (about 8 ms to load) are loaded when the first HTTPS request is made:
// a process that talks only to plain-HTTP registries on this machine never needs them.
const httpsModule = () => process.getBuiltinModule('node:https');
const tlsModule = () => process.getBuiltinModule('node:tls');
const agents = new Map();
let agentCas = 0;
const caIds = new Map();
/** Node's default trust (bundled roots, NODE_EXTRA_CA_CERTS, the system store when enabled). */
function defaultCas() {
    const { getCACertificates, rootCertificates } = tlsModule();
    return typeof getCACertificates === 'function' ? getCACertificates('default') : [...rootCertificates];
}
/**
 * The TLS context of one trust setting, made once and shared by its connections (Node would make
 * one per connection). Without verification no CA is loaded at all: parsing Node's ~150 roots costs
 * about 15 ms of CPU, paid by every process that probes an HTTP-only registry over HTTPS first.
 */
function secureContext(caText, skipTlsVerify) {
    const { createSecureContext } = tlsModule();
    if (skipTlsVerify)
        return createSecureContext({ ca: [] });
    return createSecureContext(caText === undefined ? {} : { ca: [...defaultCas(), caText] });
}
/** One keep-alive agent per protocol and trust setting; a custom CA adds to the default roots. */
function agentFor(url, ca, skipTlsVerify = false) {
    const caText = ca === undefined ? undefined : ca.toString();
    let caId = 0;
    if (caText !== undefined) {
        caId = caIds.get(caText) ?? ++agentCas;
        caIds.set(caText, caId);
    }
    const key = `${url.protocol}|${caId}|${skipTlsVerify ? 'noverify' : 'verify'}`;
    let agent = agents.get(key);
    if (!agent) {
        agent =
            url.protocol === 'https:'
                ? new (httpsModule().Agent)({
                    keepAlive: true,
                    maxSockets: 32,
                    secureContext: secureContext(caText, skipTlsVerify),
                    ...(skipTlsVerify && { rejectUnauthorized: false }),
                })
                : new (external_node_http_default()).Agent({ keepAlive: true, maxSockets: 32 });
        agents.set(key, agent);
    }
    return agent;
}
function request(req) {
    return send(req, req.maxRedirects ?? 5);
}
function send(req, redirectsLeft) {
    const url = new URL(req.url);
    const mod = url.protocol === 'https:' ? httpsModule() : (external_node_http_default());
    return new Promise((resolve, reject) => {
        const outgoing = mod.request(url, {
            method: req.method,
            headers: { ...req.headers },
            agent: agentFor(url, req.ca, req.skipTlsVerify),
            timeout: req.timeoutMs ?? IDLE_TIMEOUT_MS,
            ...(req.signal && { signal: req.signal }),
        }, (res) => {
            const status = res.statusCode ?? 0;
            const location = res.headers.location;
            if ([301, 302, 303, 307, 308].includes(status) && location && redirectsLeft > 0) {
                drain(res, req.method);
                const next = new URL(location, url);
                const headers = { ...req.headers };
                // Credentials belong to the registry: a redirect to storage on another host never gets
                // them, nor does a redirect from HTTPS down to plain HTTP.
                if (next.host !== url.host || (url.protocol === 'https:' && next.protocol !== 'https:')) {
                    for (const name of Object.keys(headers))
                        if (name.toLowerCase() === 'authorization')
                            delete headers[name];
                }
                const method = status === 303 ? 'GET' : req.method;
                if (req.body && typeof req.body.pipe === 'function' && status !== 303) {
                    reject(new Error(`${req.method} ${url.host}${url.pathname}: redirected while streaming a body`));
                    return;
                }
                send({ ...req, url: next.toString(), headers, method }, redirectsLeft - 1).then(resolve, reject);
                return;
            }
            resolve({ status, headers: res.headers, url: url.toString(), method: req.method, body: res });
        });
        outgoing.on('timeout', () => outgoing.destroy(new Error(`${req.method} ${url.host}${url.pathname}: timed out`)));
        outgoing.on('error', reject);
        if (req.body === undefined)
            outgoing.end();
        else if (Buffer.isBuffer(req.body))
            outgoing.end(req.body);
        else {
            const body = req.body;
            body.on('error', (error) => outgoing.destroy(error));
            // A body stopped before its end (the answer came first, or the copy was given up): the
            // request can never complete, and its open socket would keep the process alive.
            body.on('close', () => {
                if (!body.readableEnded)
                    outgoing.destroy();
            });
            body.pipe(outgoing);
        }
    });
}
/**
 * A whole (small) body: at most `limit` bytes, and one that stalls fails (see stall.ts). Errors
 * name `what` (who asked for what); the caller adds the registry.
 */
async function readBody(res, limit = 16 * 1024 * 1024, what) {
    const name = what ?? `response from ${res.url}`;
    const chunks = [];
    let size = 0;
    const watch = (0,stall/* watchStall */.Uy)(() => res.body.destroy(new StallError(`${name}: the answer stalled (${(0,stall/* stallWindowText */.W9)()})`)));
    try {
        for await (const chunk of res.body) {
            size += chunk.length;
            watch.progress(chunk.length);
            if (size > limit) {
                res.body.destroy();
                throw new Error(`${name}: the answer is larger than ${limit} bytes`);
            }
            chunks.push(chunk);
        }
    }
    finally {
        watch.stop();
    }
    return Buffer.concat(chunks);
}
/** A transfer that stopped moving (stall.ts); worth another attempt. */
class StallError extends Error {
    code = 'ETIMEDOUT';
    constructor(message) {
        super(message);
        this.name = 'StallError';
    }
}
/** Lets a body we do not read go: drained for keep-alive when small, destroyed otherwise. */
function drain(res, method) {
    if (res.complete ||
        res.destroyed ||
        method === 'HEAD' ||
        res.statusCode === 204 ||
        res.statusCode === 304) {
        res.resume();
        return;
    }
    const length = Number(res.headers['content-length']);
    if (!(length <= DRAIN_LIMIT_BYTES)) {
        res.destroy();
        return;
    }
    let seen = 0;
    const timer = setTimeout(() => res.destroy(), DRAIN_LIMIT_MS);
    timer.unref();
    res.on('data', (chunk) => {
        seen += chunk.length;
        if (seen > DRAIN_LIMIT_BYTES)
            res.destroy();
    });
    res.once('close', () => clearTimeout(timer));
    res.on('error', () => { });
    res.resume();
}
/**
 * A response whose body is not wanted: a small one is drained (the connection is reused), an
 * endless or slow one destroyed, so it never keeps the process alive.
 */
function discard(res) {
    drain(res.body, res.method);
}
function header(res, name) {
    const value = res.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
}


/***/ }),

/***/ 4731:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   md: () => (/* binding */ selectPlatform),
/* harmony export */   nw: () => (/* binding */ isIndex),
/* harmony export */   w6: () => (/* binding */ readImageTree)
/* harmony export */ });
/* unused harmony exports MAX_TREE_MANIFESTS, MAX_TREE_MANIFEST_BYTES, parseManifest, manifestName, platformOf, isAttestation, platformImages */
/* harmony import */ var _client__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8682);
/* harmony import */ var _descriptor__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(206);
/* harmony import */ var _common_pool__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3211);
/* harmony import */ var _common_text__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2450);
/**
 * An image as the registry stores it: the manifest a tag points to (an index or a single
 * manifest), the manifests under it, and every blob they reference — read from the source with
 * exact bytes, so a copy can put them back byte for byte.
 */




/**
 * Limits of one image tree, so a hostile index cannot exhaust memory or the registry: distinct
 * manifests under one root, and the bytes of all of them held together (each is at most 4 MiB).
 */
const MAX_TREE_MANIFESTS = 1000;
const MAX_TREE_MANIFEST_BYTES = 64 * 1024 * 1024;
/** Child manifests fetched at once. */
const TREE_FETCH_CONCURRENCY = 8;
function isIndex(manifest) {
    if (manifest.mediaType === _client__WEBPACK_IMPORTED_MODULE_0__/* .MEDIA_TYPES */ .Z2.ociIndex || manifest.mediaType === _client__WEBPACK_IMPORTED_MODULE_0__/* .MEDIA_TYPES */ .Z2.dockerManifestList)
        return true;
    // Only its shape: what is wrong in it is said where it is read (with the registry and digest).
    try {
        return Array.isArray((0,_descriptor__WEBPACK_IMPORTED_MODULE_1__/* .parseJsonObject */ .dw)(manifest.bytes, 'manifest').manifests);
    }
    catch {
        return false;
    }
}
/**
 * A manifest's JSON with its descriptors (manifests, config, layers) checked; `what` names the
 * manifest in the error ("source registry r:5000: team/app@sha256:…").
 */
function parseManifest(bytes, what = 'manifest') {
    const json = (0,_descriptor__WEBPACK_IMPORTED_MODULE_1__/* .parseJsonObject */ .dw)(bytes, what);
    if (json.schemaVersion === 1) {
        throw new _descriptor__WEBPACK_IMPORTED_MODULE_1__/* .InvalidContentError */ .JW(`${what}: schema 1 manifests are not supported (the registry rewrote the image; ask it with a full Accept list)`);
    }
    (0,_descriptor__WEBPACK_IMPORTED_MODULE_1__/* .checkDescriptors */ .Fn)(json.manifests, `${what}: manifests`);
    if (json.config !== undefined)
        (0,_descriptor__WEBPACK_IMPORTED_MODULE_1__/* .checkDescriptor */ .YW)(json.config, `${what}: config`);
    (0,_descriptor__WEBPACK_IMPORTED_MODULE_1__/* .checkDescriptors */ .Fn)(json.layers, `${what}: layers`);
    return json;
}
/** How errors name a manifest read from `client`: role, registry, repository and digest. */
function manifestName(client, repository, digest) {
    return `${client.label}: ${repository}@${digest}`;
}
/** "os/arch[/variant]" of an index entry, printable (a registry wrote it). */
function platformOf(d) {
    const p = d.platform;
    const field = (value) => (0,_common_text__WEBPACK_IMPORTED_MODULE_2__/* .printable */ .g)(String(value ?? '?'), 40);
    return p ? `${field(p.os)}/${field(p.architecture)}${p.variant ? `/${field(p.variant)}` : ''}` : 'unknown';
}
/**
 * Whether an index entry is an attestation manifest (BuildKit's provenance and SBOM, which Docker 29
 * adds to a plain `docker build`), not an image anyone runs.
 */
function isAttestation(d) {
    return (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
        (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown'));
}
/** An index's runnable images, one per platform (attestation manifests left out), in its order. */
function platformImages(index) {
    return (parseManifest(index.bytes, 'index').manifests ?? [])
        .filter((d) => !isAttestation(d))
        .map((d) => ({ digest: d.digest, platform: platformOf(d) }));
}
/**
 * Reads the whole tree below `root` from the source: each distinct child fetched once (an index
 * may list one many times), a few at a time, within MAX_TREE_MANIFESTS and MAX_TREE_MANIFEST_BYTES.
 */
async function readImageTree(client, repository, root) {
    const manifests = [];
    const blobs = new Map();
    const seen = new Set([root.digest]);
    let bytes = root.bytes.length;
    const limit = (what) => new _client__WEBPACK_IMPORTED_MODULE_0__/* .RegistryError */ .gl(`${manifestName(client, repository, root.digest)}: the image has ${what}; refusing to read it`, 0, undefined, false);
    const visit = async (manifest) => {
        const json = parseManifest(manifest.bytes, manifestName(client, repository, manifest.digest));
        if (Array.isArray(json.manifests)) {
            const fresh = [...new Set(json.manifests.map((d) => d.digest))].filter((d) => !seen.has(d));
            for (const digest of fresh)
                seen.add(digest);
            if (seen.size > MAX_TREE_MANIFESTS)
                throw limit(`more than ${MAX_TREE_MANIFESTS} manifests (MAX_TREE_MANIFESTS)`);
            const children = await (0,_common_pool__WEBPACK_IMPORTED_MODULE_3__/* .runPool */ .k)(fresh.map((digest) => async () => {
                const child = await client.getManifest(repository, digest);
                bytes += child.bytes.length;
                if (bytes > MAX_TREE_MANIFEST_BYTES)
                    throw limit(`more than ${MAX_TREE_MANIFEST_BYTES} bytes of manifests (MAX_TREE_MANIFEST_BYTES)`);
                return child;
            }), TREE_FETCH_CONCURRENCY);
            for (const child of children)
                await visit(child);
        }
        else {
            for (const d of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) {
                if (!blobs.has(d.digest))
                    blobs.set(d.digest, { digest: d.digest, size: d.size });
            }
        }
        manifests.push(manifest);
    };
    await visit(root);
    return { root, manifests, blobs: [...blobs.values()] };
}
/** The child manifest of an index for one platform ("linux/amd64"). */
async function selectPlatform(client, repository, index, platform) {
    const json = parseManifest(index.bytes, manifestName(client, repository, index.digest));
    const match = json.manifests?.find((d) => platformOf(d) === platform || platformOf(d).startsWith(`${platform}/`));
    if (!match) {
        const offered = (json.manifests ?? []).map(platformOf).join(', ');
        throw new Error(`${repository}@${index.digest} has no ${platform} image (it has: ${offered || 'none'}); pick one of them with platform, or copy every platform`);
    }
    return client.getManifest(repository, match.digest);
}


/***/ }),

/***/ 9191:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Hd: () => (/* binding */ missingLayers),
/* harmony export */   NW: () => (/* binding */ putManifestWithSubject),
/* harmony export */   RY: () => (/* binding */ mergeCosignManifest),
/* harmony export */   SX: () => (/* binding */ findReferrers),
/* harmony export */   et: () => (/* binding */ subjectOf),
/* harmony export */   fH: () => (/* binding */ fallbackTag),
/* harmony export */   gG: () => (/* binding */ COSIGN_SUFFIXES),
/* harmony export */   iT: () => (/* binding */ putSmallBlob),
/* harmony export */   pZ: () => (/* binding */ mergeFallbackIndex),
/* harmony export */   qv: () => (/* binding */ cosignTag),
/* harmony export */   xh: () => (/* binding */ referrerDescriptor),
/* harmony export */   xt: () => (/* binding */ listReferrers),
/* harmony export */   xy: () => (/* binding */ getManifestIfAny)
/* harmony export */ });
/* unused harmony exports indexEntries, applyArtifactTypeFilter, nextLink, MAX_REFERRER_PAGES, MAX_REFERRERS_LISTED, fallbackEntries */
/* harmony import */ var _client__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8682);
/* harmony import */ var _blobs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9404);
/* harmony import */ var _descriptor__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(206);
/* harmony import */ var _http__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2785);
/**
 * What refers to a manifest, and how a registry keeps that list: the OCI 1.1 referrers API
 * (`GET /v2/<name>/referrers/<digest>`, paginated by Link, filtered by the registry when it says
 * so in OCI-Filters-Applied), the fallback tag `sha256-<hex>` (an index of the referrers, for a
 * registry without the API), and cosign's tags `sha256-<hex>.sig`, `.att` and `.sbom` (manifests
 * without a subject, found by name only).
 */




/** cosign's tags: signatures, attestations, attached SBOMs. */
const COSIGN_SUFFIXES = ['sig', 'att', 'sbom'];
const DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
/** The referrers tag schema's fallback tag: `<alg>-<hex>`, truncated to the 128 characters a tag may have. */
function fallbackTag(digest) {
    const match = DIGEST_RE.exec(digest);
    if (!match)
        throw new Error(`not a digest: ${digest}`);
    return `${match[1]}-${match[2]}`.slice(0, 128);
}
/** cosign's tag for a digest: `sha256-<hex>.sig` (.att, .sbom). */
function cosignTag(digest, suffix) {
    const match = DIGEST_RE.exec(digest);
    if (!match)
        throw new Error(`not a digest: ${digest}`);
    return `${match[1]}-${match[2]}.${suffix}`;
}
function fields(bytes, what = 'manifest') {
    return (0,_descriptor__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonObject */ .dw)(bytes, what);
}
/** The digest a manifest refers to (its `subject`), if any; one that is not a digest is none. */
function subjectOf(bytes) {
    const subject = fields(bytes).subject;
    const digest = subject !== null && typeof subject === 'object' ? subject.digest : undefined;
    return (0,_descriptor__WEBPACK_IMPORTED_MODULE_2__/* .isDigest */ .Bc)(digest) ? digest : undefined;
}
/**
 * The descriptor a referrers list carries for a manifest: artifactType (else the config's media
 * type, as the spec says) and the manifest's annotations.
 */
function referrerDescriptor(manifest) {
    const json = fields(manifest.bytes);
    const candidate = json.artifactType ?? (json.config !== null ? json.config?.mediaType : undefined);
    const artifactType = (0,_descriptor__WEBPACK_IMPORTED_MODULE_2__/* .isMediaType */ .LA)(candidate) ? candidate : undefined;
    return {
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.size,
        ...(artifactType !== undefined && { artifactType }),
        ...(json.annotations &&
            typeof json.annotations === 'object' &&
            Object.keys(json.annotations).length > 0 && { annotations: json.annotations }),
    };
}
/** The descriptors of a referrers index (an API page or a fallback tag's index). */
function indexEntries(bytes) {
    const json = fields(bytes);
    if (!Array.isArray(json.manifests))
        throw new Error('not an index');
    // A digest is what a client reads and logs next: an entry without a valid digest, size and media
    // type (artifactType, when given) is not an entry.
    return json.manifests.filter((d) => d !== null &&
        typeof d === 'object' &&
        (0,_descriptor__WEBPACK_IMPORTED_MODULE_2__/* .isDigest */ .Bc)(d.digest) &&
        (0,_descriptor__WEBPACK_IMPORTED_MODULE_2__/* .isSize */ .kp)(d.size) &&
        (0,_descriptor__WEBPACK_IMPORTED_MODULE_2__/* .isMediaType */ .LA)(d.mediaType) &&
        (d.artifactType === undefined || (0,_descriptor__WEBPACK_IMPORTED_MODULE_2__/* .isMediaType */ .LA)(d.artifactType)));
}
/**
 * A fallback index with `add` merged in: every entry already there kept as it is and in order (other
 * tools' referrers are never dropped), the new ones appended; `added` counts them.
 */
function mergeFallbackIndex(existing, add) {
    const json = existing
        ? JSON.parse(existing.toString('utf8'))
        : { schemaVersion: 2, mediaType: _client__WEBPACK_IMPORTED_MODULE_0__/* .MEDIA_TYPES */ .Z2.ociIndex, manifests: [] };
    if (!Array.isArray(json.manifests))
        throw new Error('not an index');
    const have = new Set(json.manifests.map((d) => d.digest));
    let added = 0;
    for (const d of add) {
        if (have.has(d.digest))
            continue;
        have.add(d.digest);
        json.manifests.push({ ...d });
        added += 1;
    }
    return { bytes: added === 0 && existing ? existing : Buffer.from(JSON.stringify(json)), added };
}
/**
 * Honours OCI-Filters-Applied: when an artifactType was asked for and the registry did not say it
 * filtered by it, the client filters.
 */
function applyArtifactTypeFilter(entries, artifactType, filtersApplied) {
    if (artifactType === undefined)
        return [...entries];
    const applied = (filtersApplied ?? '').split(',').map((f) => f.trim());
    if (applied.includes('artifactType'))
        return [...entries];
    return entries.filter((d) => d.artifactType === artifactType);
}
/** The next page from a Link header (`<url>; rel="next"`), resolved against the request's URL. */
function nextLink(link, base) {
    if (!link)
        return undefined;
    for (const part of link.split(',')) {
        const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
        if (match?.[1] && /rel="?next"?/.test(match[2] ?? ''))
            return new URL(match[1], base).toString();
    }
    return undefined;
}
/** Pages of one referrers list read at most; more is an error, not a silently short list. */
const MAX_REFERRER_PAGES = 100;
/** Entries of one referrers list (one subject) kept at most. */
const MAX_REFERRERS_LISTED = 1000;
/** The bytes of one referrers page (an index). */
const MAX_REFERRER_PAGE_BYTES = 4 * 1024 * 1024;
/**
 * The referrers API's list for `digest`, every page; undefined when the registry has no referrers
 * API (it answers 404, or 400/405/501 for a path it does not know).
 */
async function listReferrers(client, repository, digest, artifactType) {
    const base = await client.base();
    let url = `${base}/v2/${repository}/referrers/${digest}`;
    if (artifactType)
        url += `?artifactType=${encodeURIComponent(artifactType)}`;
    const entries = [];
    const image = `${client.label}: referrers of ${repository}@${digest}`;
    for (let page = 0; url; page++) {
        if (page === MAX_REFERRER_PAGES)
            throw new _client__WEBPACK_IMPORTED_MODULE_0__/* .RegistryError */ .gl(`${image}: more than ${MAX_REFERRER_PAGES} pages (MAX_REFERRER_PAGES); refusing to read on`, 0, undefined, false);
        const res = await client.send({
            method: 'GET',
            path: url,
            scopes: [(0,_client__WEBPACK_IMPORTED_MODULE_0__/* .pullScope */ .iH)(repository)],
            headers: { accept: _client__WEBPACK_IMPORTED_MODULE_0__/* .MEDIA_TYPES */ .Z2.ociIndex },
        });
        if ([400, 404, 405, 501].includes(res.status)) {
            (0,_http__WEBPACK_IMPORTED_MODULE_3__/* .discard */ .vf)(res);
            if (page === 0)
                return undefined;
            throw new _client__WEBPACK_IMPORTED_MODULE_0__/* .RegistryError */ .gl(`${client.label}: referrers of ${repository}@${digest}: a next page answered ${res.status}`, res.status);
        }
        await client.expect(res, [200], `GET referrers ${repository}@${digest}`);
        const contentType = ((0,_http__WEBPACK_IMPORTED_MODULE_3__/* .header */ .wx)(res, 'content-type') ?? '').split(';')[0]?.trim();
        const body = await client.read(res, MAX_REFERRER_PAGE_BYTES, `GET referrers ${repository}@${digest}`);
        // A registry without the API may answer 200 with something else (an HTML page, its own JSON).
        if (page === 0 && contentType !== _client__WEBPACK_IMPORTED_MODULE_0__/* .MEDIA_TYPES */ .Z2.ociIndex) {
            try {
                indexEntries(body);
            }
            catch {
                return undefined;
            }
        }
        let listed;
        try {
            listed = indexEntries(body);
        }
        catch (error) {
            throw new _client__WEBPACK_IMPORTED_MODULE_0__/* .RegistryError */ .gl(`${image}: ${error.message}`, 502, undefined, false);
        }
        entries.push(...applyArtifactTypeFilter(listed, artifactType, (0,_http__WEBPACK_IMPORTED_MODULE_3__/* .header */ .wx)(res, 'oci-filters-applied')));
        if (entries.length > MAX_REFERRERS_LISTED)
            throw new _client__WEBPACK_IMPORTED_MODULE_0__/* .RegistryError */ .gl(`${image}: more than ${MAX_REFERRERS_LISTED} referrers (MAX_REFERRERS_LISTED); refusing to read on`, 0, undefined, false);
        url = nextLink((0,_http__WEBPACK_IMPORTED_MODULE_3__/* .header */ .wx)(res, 'link'), url);
    }
    return entries;
}
/** A fallback tag's entries; a tag of that name that is not an index lists none. */
function fallbackEntries(manifest) {
    try {
        return indexEntries(manifest.bytes).slice(0, MAX_REFERRERS_LISTED + 1);
    }
    catch {
        return [];
    }
}
/**
 * What refers to `digest`, the way the registry keeps it: its referrers API, or where it has none
 * the fallback tag (both asked at once: one round trip). With `artifactType`, only those.
 */
async function findReferrers(client, repository, digest, artifactType) {
    const [api, fallback] = await Promise.all([
        listReferrers(client, repository, digest, artifactType),
        getManifestIfAny(client, repository, fallbackTag(digest)),
    ]);
    if (api !== undefined)
        return { entries: api, found: 'referrers-api' };
    const entries = fallback ? fallbackEntries(fallback) : [];
    return {
        entries: artifactType === undefined ? entries : entries.filter((e) => e.artifactType === artifactType),
        found: 'fallback-tag',
    };
}
/** A manifest by tag or digest, or undefined when there is none. */
async function getManifestIfAny(client, repository, reference) {
    try {
        return await client.getManifest(repository, reference);
    }
    catch (error) {
        if (error instanceof _client__WEBPACK_IMPORTED_MODULE_0__/* .RegistryError */ .gl && error.status === 404)
            return undefined;
        throw error;
    }
}
/**
 * Puts a manifest by digest and says whether the registry keeps its subject's referrers itself
 * (it answered OCI-Subject).
 */
async function putManifestWithSubject(client, repository, manifest) {
    const res = await client.send({
        method: 'PUT',
        path: `${repository}/manifests/${manifest.digest}`,
        scopes: [(0,_client__WEBPACK_IMPORTED_MODULE_0__/* .pushScope */ .Xu)(repository)],
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
    });
    await client.expect(res, [200, 201], `PUT manifest ${repository}@${manifest.digest}`);
    (0,_http__WEBPACK_IMPORTED_MODULE_3__/* .discard */ .vf)(res);
    return { subjectKept: (0,_http__WEBPACK_IMPORTED_MODULE_3__/* .header */ .wx)(res, 'oci-subject') !== undefined };
}
/** Uploads a small blob held in memory (a config); nothing when it is there. */
async function putSmallBlob(client, repository, bytes) {
    return (await (0,_blobs__WEBPACK_IMPORTED_MODULE_1__/* .putBlobBytes */ .Qt)(client, repository, bytes)).digest;
}
/** A JSON value with its object keys sorted: equal descriptors compare equal whatever their key order. */
function canonical(value) {
    if (Array.isArray(value))
        return `[${value.map(canonical).join(',')}]`;
    if (value && typeof value === 'object')
        return `{${Object.keys(value)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
            .join(',')}}`;
    return JSON.stringify(value);
}
/**
 * The layers of `source` that `destination` lacks (cosign's .sig/.att/.sbom: one layer per
 * signature). Whole descriptors are compared: cosign's signatures of one image share the payload
 * blob (same digest) and differ in their annotations (the signature itself).
 */
function missingLayers(destination, source) {
    const have = new Set(JSON.parse(destination.toString('utf8')).layers.map(canonical));
    return JSON.parse(source.toString('utf8')).layers.filter((l) => !have.has(canonical(l)));
}
/**
 * cosign appends every signature (attestation) as one more layer of the one manifest under
 * `sha256-<hex>.sig` (`.att`); two registries' manifests of the same tag can both be right. The
 * merge keeps the destination's manifest and appends the source's layers it lacks, with the
 * config's diff_ids (and history) extended to match, as cosign itself would have appended them.
 * Returns the new manifest and config bytes.
 */
function mergeCosignManifest(destination, destinationConfig, add) {
    const image = JSON.parse(destination.toString('utf8'));
    const config = JSON.parse(destinationConfig.toString('utf8'));
    const diffIds = config.rootfs?.diff_ids ?? [];
    const uncompressed = diffIds.length === image.layers.length && image.layers.every((l, i) => diffIds[i] === l.digest);
    if (!uncompressed)
        throw new Error('its layers are not the uncompressed ones cosign writes');
    const layers = [...image.layers, ...add];
    const history = Array.isArray(config.history)
        ? [...config.history, ...add.map(() => ({ created: '0001-01-01T00:00:00Z' }))]
        : undefined;
    const newConfig = {
        ...config,
        rootfs: { ...config.rootfs, type: 'layers', diff_ids: layers.map((l) => l.digest) },
        ...(history && { history }),
    };
    const configBytes = Buffer.from(JSON.stringify(newConfig));
    const newImage = {
        ...image,
        config: { ...image.config, digest: (0,_client__WEBPACK_IMPORTED_MODULE_0__/* .sha256 */ .sc)(configBytes), size: configBytes.length },
        layers,
    };
    return { manifest: Buffer.from(JSON.stringify(newImage)), config: configBytes };
}


/***/ }),

/***/ 2091:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   P1: () => (/* binding */ TagConflictError)
/* harmony export */ });
/* unused harmony exports clientFor, resolveDigest, resolveReferenceDigest */
/* harmony import */ var _common_reference__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3160);
/* harmony import */ var _client__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8682);
/** Resolving a tag to the digest a registry serves for it. */


/** A client; a loopback registry may answer plain HTTP (the client knows), and no certificate check is skipped. */
function clientFor(registry, options = {}) {
    return new RegistryClient(registry, options);
}
/** The digest a reference resolves to now (its own digest when it has one). */
async function resolveDigest(ref, options = {}) {
    if (ref.digest)
        return ref.digest;
    const client = clientFor(ref.registry, options);
    const manifest = await client.headManifest(ref.repository, ref.tag ?? 'latest');
    return manifest?.digest;
}
async function resolveReferenceDigest(text, options = {}) {
    return resolveDigest(parseReference(text), options);
}
/** A tag the registry already serves for other content, which would move (the whole operation is refused). */
class TagConflictError extends Error {
    constructor(destination, tag, current, wanted, how = 'set allow-overwrite: true to move it') {
        super(`${destination}:${tag} already points to ${current}, not to ${wanted}; refusing to move it (${how})`);
        this.name = 'TagConflictError';
    }
}


/***/ }),

/***/ 2485:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Uy: () => (/* binding */ watchStall),
/* harmony export */   W9: () => (/* binding */ stallWindowText),
/* harmony export */   h3: () => (/* binding */ STALL_WINDOW_MS)
/* harmony export */ });
/* unused harmony export STALL_MIN_BYTES */
/**
 * Stalled transfers: a body that stops moving, or trickles below a floor rate, fails instead of
 * holding a run until the job's timeout (Node's socket timeout only sees silence, not one byte
 * every few seconds). One window at a time: fewer than STALL_MIN_BYTES in STALL_WINDOW_MS is a stall.
 */
/** The window; SLIPWAY_STALL_MS shortens it (tests), like SLIPWAY_RETRY_BASE_MS. */
const STALL_WINDOW_MS = Number(process.env.SLIPWAY_STALL_MS ?? 30_000);
/** Bytes a window must carry: 64 KiB in 30 s is about 2 KiB/s, far below any working link. */
const STALL_MIN_BYTES = 64 * 1024;
/** Calls `onStall` (once) when a window carries fewer than STALL_MIN_BYTES; stop() when done. */
function watchStall(onStall, windowMs = STALL_WINDOW_MS) {
    let moved = 0;
    const timer = setInterval(() => {
        if (moved >= STALL_MIN_BYTES) {
            moved = 0;
            return;
        }
        clearInterval(timer);
        onStall();
    }, windowMs);
    timer.unref();
    return {
        progress: (bytes) => void (moved += bytes),
        stop: () => clearInterval(timer),
    };
}
/** The seconds of a window, for messages. */
const stallWindowText = () => `less than ${STALL_MIN_BYTES / 1024} KiB in ${STALL_WINDOW_MS / 1000} s`;


/***/ }),

/***/ 558:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ readPromotions),
/* harmony export */   JO: () => (/* binding */ EMPTY_JSON),
/* harmony export */   Lp: () => (/* binding */ buildPromotionRecord),
/* harmony export */   QT: () => (/* binding */ samePromotion),
/* harmony export */   jM: () => (/* binding */ isPromotionRecord),
/* harmony export */   s4: () => (/* binding */ coversPromotion),
/* harmony export */   yz: () => (/* binding */ PROMOTION_ARTIFACT_TYPE)
/* harmony export */ });
/* unused harmony exports PROMOTION_ANNOTATIONS, parsePromotion, newestPromotion, describePromotion */
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8682);
/* harmony import */ var _registry_referrers__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9191);
/**
 * The promotion record: what promote-between-registries leaves at the destination next to the
 * digest it promoted, so the ledger can say which promotion put a running image there. An OCI 1.1
 * artifact (artifactType application/vnd.slipway.promotion.v1+json, the empty config and one empty
 * layer, as the artifact guidance says for an artifact without blobs) whose `subject` is the
 * promoted manifest and whose annotations are the facts: source, destination and tags, the run's
 * URL, the actor, the time. The annotations reach the referrers list (API or fallback tag), so a
 * reader needs no more than that list. Not signed: it says where an image came from, it proves
 * nothing (the signature and the attestations do).
 */



const PROMOTION_ARTIFACT_TYPE = 'application/vnd.slipway.promotion.v1+json';
/** The OCI empty descriptor's content (`{}`), its config and layer. */
const EMPTY_JSON = Buffer.from('{}');
const EMPTY_DESCRIPTOR = {
    mediaType: 'application/vnd.oci.empty.v1+json',
    digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    size: 2,
    data: 'e30=',
};
const PROMOTION_ANNOTATIONS = {
    time: 'org.opencontainers.image.created',
    source: 'dev.slipway.promotion.source',
    destination: 'dev.slipway.promotion.destination',
    tags: 'dev.slipway.promotion.tags',
    run: 'dev.slipway.promotion.run-url',
    actor: 'dev.slipway.promotion.actor',
};
/** The record's manifest for `subject`: the same facts make the same bytes (the same digest). */
function buildPromotionRecord(subject, promotion) {
    const A = PROMOTION_ANNOTATIONS;
    const annotations = {
        [A.time]: promotion.time,
        [A.source]: promotion.source,
        [A.destination]: promotion.destination,
        ...(promotion.tags.length > 0 && { [A.tags]: promotion.tags.join(',') }),
        ...(promotion.runUrl && { [A.run]: promotion.runUrl }),
        ...(promotion.actor && { [A.actor]: promotion.actor }),
    };
    const bytes = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: _registry_client__WEBPACK_IMPORTED_MODULE_0__/* .MEDIA_TYPES */ .Z2.ociManifest,
        artifactType: PROMOTION_ARTIFACT_TYPE,
        config: EMPTY_DESCRIPTOR,
        layers: [EMPTY_DESCRIPTOR],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        annotations,
    }));
    return { bytes, digest: (0,_registry_client__WEBPACK_IMPORTED_MODULE_0__/* .sha256 */ .sc)(bytes), mediaType: _registry_client__WEBPACK_IMPORTED_MODULE_0__/* .MEDIA_TYPES */ .Z2.ociManifest, size: bytes.length };
}
/** The facts of a record's annotations; undefined when they are not a promotion's (no source or time). */
function parsePromotion(annotations) {
    if (!annotations)
        return undefined;
    const A = PROMOTION_ANNOTATIONS;
    const source = annotations[A.source];
    const time = annotations[A.time];
    if (typeof source !== 'string' || typeof time !== 'string' || !source || !time)
        return undefined;
    // A time from the future (or not a UTC ISO 8601 time) would be "newest" for ever: not a record.
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(time) || Date.parse(time) > Date.now() + 300_000)
        return undefined;
    const text = (key) => (typeof annotations[key] === 'string' ? annotations[key] : '');
    return {
        source,
        destination: text(A.destination),
        tags: text(A.tags).split(',').filter(Boolean),
        runUrl: text(A.run),
        actor: text(A.actor),
        time,
    };
}
/** One promotion seen twice (a rerun in the same run): same run, source, destination and tags. */
function samePromotion(a, b) {
    return (a.runUrl === b.runUrl &&
        a.source === b.source &&
        a.destination === b.destination &&
        a.tags.join(',') === b.tags.join(','));
}
/**
 * `p` already says what `promotion` would (any run's): the same source and destination, and every
 * one of its tags.
 */
function coversPromotion(p, promotion) {
    return (p.source === promotion.source &&
        p.destination === promotion.destination &&
        promotion.tags.every((t) => p.tags.includes(t)));
}
/** The newest by time (ISO 8601 in UTC sorts as text); the later listed wins a tie. */
function newestPromotion(promotions) {
    let newest;
    for (const p of promotions)
        if (!newest || p.time >= newest.time)
            newest = p;
    return newest;
}
/** "promoted from <source> by <run> at <time>", every registry-provided string made printable. */
function describePromotion(p) {
    const by = p.runUrl || p.actor;
    return `promoted from ${printable(p.source)}${by ? ` by ${printable(by)}` : ''} at ${printable(p.time, 40)} (unsigned record)`;
}
/** Whether a referrers-list entry is a promotion record. */
function isPromotionRecord(entry) {
    return entry.artifactType === PROMOTION_ARTIFACT_TYPE;
}
/**
 * The promotion records of `digest` in a repository, each with its manifest digest, through the
 * referrers API or the fallback tag. A registry that lists the config's media type instead of the
 * artifactType (go-containerregistry's) lists ours as the empty type: those entries, and any
 * listed without annotations, are read to be sure.
 */
async function readPromotions(client, repository, digest) {
    const { entries } = await (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_1__/* .findReferrers */ .SX)(client, repository, digest);
    const out = [];
    for (const entry of entries) {
        let annotations = entry.annotations;
        const listedAsOurs = isPromotionRecord(entry);
        if (!listedAsOurs && entry.artifactType !== EMPTY_DESCRIPTOR.mediaType)
            continue;
        if (!listedAsOurs || !annotations) {
            const manifest = await (0,_registry_referrers__WEBPACK_IMPORTED_MODULE_1__/* .getManifestIfAny */ .xy)(client, repository, entry.digest);
            if (!manifest)
                continue;
            try {
                const json = JSON.parse(manifest.bytes.toString('utf8'));
                if (json.artifactType !== PROMOTION_ARTIFACT_TYPE)
                    continue;
                annotations = json.annotations;
            }
            catch {
                continue;
            }
        }
        const promotion = parsePromotion(annotations);
        if (promotion)
            out.push({ ...promotion, record: entry.digest });
    }
    return out;
}


/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = require("buffer");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = require("crypto");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = require("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = require("node:fs");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = require("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = require("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = require("node:path");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = require("node:util");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = require("process");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = require("util");

/***/ })

/******/ 	});
/************************************************************************/
/******/ 	// The module cache
/******/ 	var __webpack_module_cache__ = {};
/******/ 	
/******/ 	// The require function
/******/ 	function __nccwpck_require__(moduleId) {
/******/ 		// Check if module is in cache
/******/ 		var cachedModule = __webpack_module_cache__[moduleId];
/******/ 		if (cachedModule !== undefined) {
/******/ 			return cachedModule.exports;
/******/ 		}
/******/ 		// Create a new module (and put it into the cache)
/******/ 		var module = __webpack_module_cache__[moduleId] = {
/******/ 			// no module.id needed
/******/ 			// no module.loaded needed
/******/ 			exports: {}
/******/ 		};
/******/ 	
/******/ 		// Execute the module function
/******/ 		var threw = true;
/******/ 		try {
/******/ 			__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 			threw = false;
/******/ 		} finally {
/******/ 			if(threw) delete __webpack_module_cache__[moduleId];
/******/ 		}
/******/ 	
/******/ 		// Return the exports of the module
/******/ 		return module.exports;
/******/ 	}
/******/ 	
/******/ 	// expose the modules object (__webpack_modules__)
/******/ 	__nccwpck_require__.m = __webpack_modules__;
/******/ 	
/************************************************************************/
/******/ 	/* webpack/runtime/compat get default export */
/******/ 	(() => {
/******/ 		// getDefaultExport function for compatibility with non-harmony modules
/******/ 		__nccwpck_require__.n = (module) => {
/******/ 			var getter = module && module.__esModule ?
/******/ 				() => (module['default']) :
/******/ 				() => (module);
/******/ 			__nccwpck_require__.d(getter, { a: getter });
/******/ 			return getter;
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/define property getters */
/******/ 	(() => {
/******/ 		// define getter functions for harmony exports
/******/ 		__nccwpck_require__.d = (exports, definition) => {
/******/ 			for(var key in definition) {
/******/ 				if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 					Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 				}
/******/ 			}
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/ensure chunk */
/******/ 	(() => {
/******/ 		__nccwpck_require__.f = {};
/******/ 		// This file contains only the entry chunk.
/******/ 		// The chunk loading function for additional chunks
/******/ 		__nccwpck_require__.e = (chunkId) => {
/******/ 			return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 				__nccwpck_require__.f[key](chunkId, promises);
/******/ 				return promises;
/******/ 			}, []));
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/get javascript chunk filename */
/******/ 	(() => {
/******/ 		// This function allow to reference async chunks
/******/ 		__nccwpck_require__.u = (chunkId) => {
/******/ 			// return url for filenames based on template
/******/ 			return "" + chunkId + ".index.js";
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/hasOwnProperty shorthand */
/******/ 	(() => {
/******/ 		__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/make namespace object */
/******/ 	(() => {
/******/ 		// define __esModule on exports
/******/ 		__nccwpck_require__.r = (exports) => {
/******/ 			if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 				Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 			}
/******/ 			Object.defineProperty(exports, '__esModule', { value: true });
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/compat */
/******/ 	
/******/ 	if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = __dirname + "/";
/******/ 	
/******/ 	/* webpack/runtime/require chunk loading */
/******/ 	(() => {
/******/ 		// no baseURI
/******/ 		
/******/ 		// object to store loaded chunks
/******/ 		// "1" means "loaded", otherwise not loaded yet
/******/ 		var installedChunks = {
/******/ 			792: 1
/******/ 		};
/******/ 		
/******/ 		// no on chunks loaded
/******/ 		
/******/ 		var installChunk = (chunk) => {
/******/ 			var moreModules = chunk.modules, chunkIds = chunk.ids, runtime = chunk.runtime;
/******/ 			for(var moduleId in moreModules) {
/******/ 				if(__nccwpck_require__.o(moreModules, moduleId)) {
/******/ 					__nccwpck_require__.m[moduleId] = moreModules[moduleId];
/******/ 				}
/******/ 			}
/******/ 			if(runtime) runtime(__nccwpck_require__);
/******/ 			for(var i = 0; i < chunkIds.length; i++)
/******/ 				installedChunks[chunkIds[i]] = 1;
/******/ 		
/******/ 		};
/******/ 		
/******/ 		// require() chunk loading for javascript
/******/ 		__nccwpck_require__.f.require = (chunkId, promises) => {
/******/ 			// "1" is the signal for "already loaded"
/******/ 			if(!installedChunks[chunkId]) {
/******/ 				if(true) { // all chunks have JS
/******/ 					installChunk(require("./" + __nccwpck_require__.u(chunkId)));
/******/ 				} else installedChunks[chunkId] = 1;
/******/ 			}
/******/ 		};
/******/ 		
/******/ 		// no external install chunk
/******/ 		
/******/ 		// no HMR
/******/ 		
/******/ 		// no HMR manifest
/******/ 	})();
/******/ 	
/************************************************************************/
var __webpack_exports__ = {};

// EXTERNAL MODULE: ./src/common/text.ts
var common_text = __nccwpck_require__(2450);
// EXTERNAL MODULE: ./src/github/context.ts
var context = __nccwpck_require__(9556);
// EXTERNAL MODULE: ./src/promote-between-registries/inputs.ts
var promote_between_registries_inputs = __nccwpck_require__(2146);
// EXTERNAL MODULE: ./src/common/reference.ts
var common_reference = __nccwpck_require__(3160);
// EXTERNAL MODULE: ./src/registry/blobs.ts + 5 modules
var blobs = __nccwpck_require__(9404);
// EXTERNAL MODULE: ./src/registry/client.ts + 5 modules
var registry_client = __nccwpck_require__(8682);
// EXTERNAL MODULE: ./src/registry/image-tree.ts
var image_tree = __nccwpck_require__(4731);
// EXTERNAL MODULE: ./src/common/mutable-tags.ts
var mutable_tags = __nccwpck_require__(3773);
// EXTERNAL MODULE: ./src/common/pool.ts
var pool = __nccwpck_require__(3211);
// EXTERNAL MODULE: ./src/registry/resolve.ts
var resolve = __nccwpck_require__(2091);
// EXTERNAL MODULE: ./src/common/retry.ts
var retry = __nccwpck_require__(9183);
// EXTERNAL MODULE: ./src/promote-between-registries/referrers.ts
var promote_between_registries_referrers = __nccwpck_require__(7827);
// EXTERNAL MODULE: ./src/registry/referrers.ts
var referrers = __nccwpck_require__(9191);
// EXTERNAL MODULE: ./src/supply-chain/promotion.ts
var supply_chain_promotion = __nccwpck_require__(558);
;// CONCATENATED MODULE: ./src/promote-between-registries/record.ts



async function writePromotionRecord(client, repository, subject, promotion, options = {}) {
    const records = await (0,supply_chain_promotion/* readPromotions */.F7)(client, repository, subject.digest);
    const existing = records.find((p) => options.alreadyPromoted ? (0,supply_chain_promotion/* coversPromotion */.s4)(p, promotion) : (0,supply_chain_promotion/* samePromotion */.QT)(p, promotion));
    if (existing)
        return { digest: existing.record, written: false };
    const record = (0,supply_chain_promotion/* buildPromotionRecord */.Lp)(subject, promotion);
    await (0,referrers/* putSmallBlob */.iT)(client, repository, supply_chain_promotion/* EMPTY_JSON */.JO);
    await (0,promote_between_registries_referrers/* putManifestKeepingSubject */.ve)(client, repository, record);
    return { digest: record.digest, written: true };
}

;// CONCATENATED MODULE: ./src/promote-between-registries/copy.ts
/**
 * Promotion: copying one image, or a set of images, between registries over the distribution
 * API with digests preserved. Every image is copied (blobs, then manifests bottom-up) before any
 * tag moves, so production never sees half a set; an existing tag that points elsewhere is a
 * conflict unless overwriting is allowed; what is already there is skipped, so a rerun after a
 * failure converges.
 */










/** Refuses moving `tag` from `current` to `wanted` unless allowed and the tag is mutable. */
function checkTagMove(options, destination, tag, current, wanted) {
    if (current === wanted)
        return;
    const mutable = (0,mutable_tags/* isMutableTag */.RB)(tag, options.mutableTags);
    if (!options.allowOverwrite || !mutable)
        throw new resolve/* TagConflictError */.P1(destination, tag, current, wanted, mutable ? undefined : 'it is not one of the mutable-tags, so it never moves, even with allow-overwrite');
}
async function resolveTree(pair, clients, options) {
    const client = clients.source(pair.source.registry);
    const reference = pair.source.digest ?? pair.source.tag ?? 'latest';
    let root = await client.getManifest(pair.source.repository, reference).catch((error) => {
        if (error instanceof registry_client/* RegistryError */.gl && error.status === 404) {
            throw new registry_client/* RegistryError */.gl(`${client.label}: ${(0,common_reference/* formatReference */.FH)(pair.source)} does not exist`, 404);
        }
        throw error;
    });
    if (pair.expectedDigest && root.digest !== pair.expectedDigest) {
        throw new Error(`${(0,common_reference/* formatReference */.FH)(pair.source)} resolves to ${root.digest}, not the expected ${pair.expectedDigest}; nothing was copied`);
    }
    if (!options.allPlatforms && (0,image_tree/* isIndex */.nw)(root))
        root = await (0,image_tree/* selectPlatform */.md)(client, pair.source.repository, root, options.platform).catch((error) => {
            if (error instanceof Error)
                error.message = `${client.label}: ${error.message}`;
            throw error;
        });
    return (0,image_tree/* readImageTree */.w6)(client, pair.source.repository, root);
}
/** The project's retry primitive over registry errors, ended by the promotion's signal. */
function withRetry(what, fn, signal) {
    return (0,retry/* retry */.L5)(what, fn, { retryable: registry_client/* isRetryableError */.$d, ...(signal && { signal }) });
}
async function promote(pairs, clients, options, onEvent = () => { }) {
    const started = performance.now();
    const signal = options.signal;
    const go = () => signal?.throwIfAborted();
    // Reach the destinations while the sources resolve (a failure here is reported when used).
    for (const pair of pairs)
        clients
            .destination(pair.destination.registry)
            .base()
            .catch(() => { });
    // 1. Resolve every source (a set is all or nothing: a missing image fails before any write).
    const trees = new Map();
    for (const pair of pairs) {
        const key = (0,common_reference/* formatReference */.FH)(pair.source) + (pair.expectedDigest ?? '');
        if (!trees.has(key)) {
            const tree = await resolveTree(pair, clients, options);
            trees.set(key, tree);
            onEvent({
                kind: 'resolved',
                source: (0,common_reference/* formatReference */.FH)(pair.source),
                digest: tree.root.digest,
                manifests: tree.manifests.length,
                blobs: tree.blobs.length,
            });
        }
    }
    // 1b. Everything referring to the manifests copied, recursively, read before anything is written.
    const referrersOf = new Map();
    if (options.referrers) {
        for (const pair of pairs) {
            const key = (0,common_reference/* formatReference */.FH)(pair.source) + (pair.expectedDigest ?? '');
            if (referrersOf.has(key))
                continue;
            const tree = trees.get(key);
            go();
            const found = await (0,promote_between_registries_referrers/* discoverReferrers */.C3)(clients.source(pair.source.registry), pair.source.repository, tree.manifests.map((m) => m.digest), (0,common_reference/* formatReference */.FH)(pair.source));
            referrersOf.set(key, found);
            onEvent({ kind: 'referrers-found', source: (0,common_reference/* formatReference */.FH)(pair.source), count: found.length });
        }
    }
    // 2. Check every destination tag before writing anything: conflicts refuse the whole promotion.
    const jobs = [];
    for (const pair of pairs) {
        const tree = trees.get((0,common_reference/* formatReference */.FH)(pair.source) + (pair.expectedDigest ?? ''));
        const dstClient = clients.destination(pair.destination.registry);
        const destination = (0,common_reference/* repositoryName */.aR)(pair.destination);
        const tagsInPlace = new Set();
        for (const tag of pair.tags) {
            const current = await dstClient.headManifest(pair.destination.repository, tag);
            if (!current)
                continue;
            if (current.digest === tree.root.digest)
                tagsInPlace.add(tag);
            else
                checkTagMove(options, destination, tag, current.digest, tree.root.digest);
        }
        const rootPresent = tagsInPlace.size > 0 ||
            (await dstClient.headManifest(pair.destination.repository, tree.root.digest)) !== undefined;
        const upToDate = rootPresent && tagsInPlace.size === pair.tags.length;
        if (upToDate)
            onEvent({ kind: 'up-to-date', destination, digest: tree.root.digest });
        jobs.push({
            pair,
            tree,
            srcClient: clients.source(pair.source.registry),
            dstClient,
            tagsInPlace,
            rootPresent,
            upToDate,
        });
    }
    const candidates = [];
    const referrerKeys = new Set();
    for (const job of jobs) {
        const key = (0,common_reference/* formatReference */.FH)(job.pair.source) + (job.pair.expectedDigest ?? '');
        for (const referrer of referrersOf.get(key) ?? []) {
            const dedupe = `${(0,common_reference/* repositoryName */.aR)(job.pair.destination)}|${referrer.tree.root.digest}|${referrer.tag ?? ''}`;
            if (referrerKeys.has(dedupe))
                continue;
            referrerKeys.add(dedupe);
            candidates.push({ job, referrer });
        }
    }
    const referrerJobs = await Promise.all(candidates.map(async ({ job, referrer }) => {
        const rootPresent = (await job.dstClient.headManifest(job.pair.destination.repository, referrer.tree.root.digest)) !==
            undefined;
        return {
            pair: { source: job.pair.source, destination: job.pair.destination, tags: [] },
            tree: referrer.tree,
            srcClient: job.srcClient,
            dstClient: job.dstClient,
            tagsInPlace: new Set(),
            rootPresent,
            upToDate: rootPresent,
            referrer,
        };
    }));
    // 3. Blobs: one bounded pool over every (destination repository, blob), de-duplicated.
    let blobsCopied = 0;
    let blobsMounted = 0;
    let blobsSkipped = 0;
    let bytesCopied = 0;
    const plan = [];
    const firstCopy = new Map();
    const tasks = [];
    const queued = new Set();
    for (const job of [...jobs, ...referrerJobs]) {
        if (job.rootPresent) {
            for (const blob of job.tree.blobs)
                plan.push({
                    destination: (0,common_reference/* repositoryName */.aR)(job.pair.destination),
                    digest: blob.digest,
                    size: blob.size,
                    action: 'skip',
                });
            blobsSkipped += job.tree.blobs.length;
            continue;
        }
        for (const blob of job.tree.blobs) {
            const key = `${(0,common_reference/* repositoryName */.aR)(job.pair.destination)}|${blob.digest}`;
            if (queued.has(key))
                continue;
            queued.add(key);
            const registryKey = `${job.pair.destination.registry}|${blob.digest}`;
            let release = () => { };
            const earlier = firstCopy.get(registryKey);
            if (!earlier)
                firstCopy.set(registryKey, new Promise((resolve) => (release = resolve)));
            tasks.push(async () => {
                const t0 = performance.now();
                try {
                    go();
                    const action = await copyBlob(job, blob, earlier, options.dryRun, signal, (bytes) => {
                        bytesCopied += bytes;
                    });
                    if (action === 'skip')
                        blobsSkipped += 1;
                    else if (action === 'mount')
                        blobsMounted += 1;
                    else
                        blobsCopied += 1;
                    plan.push({
                        destination: (0,common_reference/* repositoryName */.aR)(job.pair.destination),
                        digest: blob.digest,
                        size: blob.size,
                        action,
                    });
                    onEvent({
                        kind: 'blob',
                        action,
                        destination: (0,common_reference/* repositoryName */.aR)(job.pair.destination),
                        digest: blob.digest,
                        size: blob.size,
                        ms: performance.now() - t0,
                    });
                    release(job.pair.destination.repository);
                }
                catch (error) {
                    release(undefined);
                    throw error;
                }
            });
        }
    }
    await (0,pool/* runPool */.k)(tasks, options.concurrency);
    // 4. Manifests bottom-up (children, then the index), by digest: still no tag has moved.
    if (!options.dryRun) {
        for (const job of jobs) {
            if (job.upToDate)
                continue;
            for (const manifest of job.tree.manifests) {
                go();
                const present = await job.dstClient.headManifest(job.pair.destination.repository, manifest.digest);
                if (present)
                    continue;
                await withRetry(`put manifest ${manifest.digest}`, () => (0,promote_between_registries_referrers/* putManifestKeepingSubject */.ve)(job.dstClient, job.pair.destination.repository, manifest), signal);
                onEvent({
                    kind: 'manifest',
                    destination: (0,common_reference/* repositoryName */.aR)(job.pair.destination),
                    digest: manifest.digest,
                });
            }
        }
    }
    // 4b. Referrers, once what they refer to is there, before any tag moves: a tag never shows an
    // image whose signatures are still missing.
    const referrers = [];
    const apiLists = new Map();
    for (const job of referrerJobs) {
        const referrer = job.referrer;
        const destination = (0,common_reference/* repositoryName */.aR)(job.pair.destination);
        if (!apiLists.has(destination))
            apiLists.set(destination, new Map());
        go();
        const action = await withRetry(`referrer ${referrer.tree.root.digest}`, () => (0,promote_between_registries_referrers/* writeReferrer */.V9)({
            source: job.srcClient,
            sourceRepository: job.pair.source.repository,
            destination: job.dstClient,
            destinationRepository: job.pair.destination.repository,
            dryRun: options.dryRun,
            apiLists: apiLists.get(destination),
        }, referrer, job.rootPresent), signal);
        const planned = {
            destination,
            subject: referrer.subject,
            digest: referrer.tree.root.digest,
            type: referrer.type,
            found: referrer.found,
            ...(referrer.tag !== undefined && { tag: referrer.tag }),
            action,
        };
        referrers.push(planned);
        onEvent({ kind: 'referrer', dryRun: options.dryRun, ...planned });
    }
    const referrersToCopy = referrers.filter((r) => r.action !== 'present').length;
    // 5. Tags last, once every image of the set is complete.
    let tagsMoved = 0;
    for (const job of jobs) {
        for (const tag of job.pair.tags) {
            if (job.tagsInPlace.has(tag))
                continue;
            go();
            if (!options.dryRun) {
                const previous = await job.dstClient.headManifest(job.pair.destination.repository, tag);
                // Checked again: the tag may have moved since the plan.
                if (previous)
                    checkTagMove(options, (0,common_reference/* repositoryName */.aR)(job.pair.destination), tag, previous.digest, job.tree.root.digest);
                const put = await withRetry(`tag ${tag}`, () => job.dstClient.putManifest(job.pair.destination.repository, tag, job.tree.root), signal);
                if (put !== job.tree.root.digest) {
                    throw new Error(`${job.dstClient.label}: ${(0,common_reference/* repositoryName */.aR)(job.pair.destination)}:${tag}: the registry stored ${put}, not ${job.tree.root.digest}`);
                }
                onEvent({
                    kind: 'tag',
                    destination: (0,common_reference/* repositoryName */.aR)(job.pair.destination),
                    tag,
                    digest: put,
                    ...(previous && { previous: previous.digest }),
                    dryRun: false,
                });
            }
            if (options.dryRun) {
                onEvent({
                    kind: 'tag',
                    destination: (0,common_reference/* repositoryName */.aR)(job.pair.destination),
                    tag,
                    digest: job.tree.root.digest,
                    dryRun: true,
                });
            }
            tagsMoved += 1;
        }
    }
    // 6. The promotion record of each image, once its tags are in place (a record never claims a
    // promotion whose tags were refused). An image found complete gets one only when no record says
    // the same (a run killed between its tags and its record); a rerun of a finished promotion adds none.
    // Not counted among the referrers; a registry that refuses it gets a warning, the promotion stands.
    const promotionRecords = [];
    if (options.record && !options.dryRun) {
        const at = options.record.now().toISOString();
        for (const job of jobs) {
            const destination = (0,common_reference/* repositoryName */.aR)(job.pair.destination);
            const promotion = {
                source: (0,common_reference/* formatReference */.FH)(job.pair.source),
                destination,
                tags: job.pair.tags,
                runUrl: options.record.runUrl,
                actor: options.record.actor,
                time: at,
            };
            go();
            try {
                const { digest, written } = await withRetry(`promotion record of ${job.tree.root.digest}`, () => writePromotionRecord(job.dstClient, job.pair.destination.repository, job.tree.root, promotion, {
                    alreadyPromoted: job.upToDate,
                }), signal);
                if (job.upToDate && !written)
                    continue;
                const done = { destination, subject: job.tree.root.digest, digest, written };
                promotionRecords.push(done);
                onEvent({ kind: 'promotion-record', ...done });
            }
            catch (error) {
                go();
                onEvent({
                    kind: 'promotion-record-failed',
                    destination,
                    subject: job.tree.root.digest,
                    error: error instanceof Error ? error.message : String(error),
                });
            }
        }
    }
    const planned = (action) => plan.filter((p) => p.action === action);
    const toCopy = planned('copy');
    return {
        images: jobs.map((job) => ({
            source: (0,common_reference/* formatReference */.FH)(job.pair.source),
            destination: (0,common_reference/* repositoryName */.aR)(job.pair.destination),
            digest: job.tree.root.digest,
            ref: `${(0,common_reference/* repositoryName */.aR)(job.pair.destination)}@${job.tree.root.digest}`,
            tags: job.pair.tags,
        })),
        blobsCopied: options.dryRun ? 0 : blobsCopied,
        blobsMounted: options.dryRun ? 0 : blobsMounted,
        blobsSkipped,
        bytesCopied: options.dryRun ? 0 : bytesCopied,
        blobsToCopy: toCopy.length,
        blobsToMount: planned('mount').length,
        bytesToCopy: toCopy.reduce((sum, p) => sum + p.size, 0),
        durationMs: performance.now() - started,
        dryRun: options.dryRun,
        plan,
        tagsMoved,
        referrersCopied: options.dryRun ? 0 : referrersToCopy,
        referrersToCopy,
        referrers,
        promotionRecords,
    };
}
async function copyBlob(job, blob, earlier, dryRun, signal, countBytes) {
    const dst = job.dstClient;
    const dstRepo = job.pair.destination.repository;
    if (await (0,blobs/* blobExists */.kQ)(dst, dstRepo, blob.digest))
        return 'skip';
    const sameRegistry = job.pair.source.registry === job.pair.destination.registry;
    const mountFrom = sameRegistry ? job.pair.source.repository : await earlier;
    if (dryRun)
        return mountFrom ? 'mount' : 'copy';
    let upload;
    if (mountFrom && mountFrom !== dstRepo) {
        const mounted = await withRetry(`mount ${blob.digest}`, () => (0,blobs/* mountBlob */.ti)(dst, dstRepo, blob.digest, mountFrom), signal);
        if (mounted.mounted)
            return 'mount';
        upload = mounted.uploadUrl; // distribution answers 202 when it cannot mount: upload into it instead
    }
    let pendingUpload = upload;
    await withRetry(`copy blob ${blob.digest}`, async () => {
        // A retry starts a fresh upload: the one a failed attempt used may be broken.
        const into = pendingUpload;
        pendingUpload = undefined;
        const result = await (0,blobs/* streamBlob */.LQ)({ client: job.srcClient, repository: job.pair.source.repository }, { client: dst, repository: dstRepo, ...(into && { upload: into }) }, blob.digest, blob.size);
        countBytes(result.bytes);
    }, signal);
    return 'copy';
}

// EXTERNAL MODULE: ./src/common/summary.ts
var summary = __nccwpck_require__(7701);
;// CONCATENATED MODULE: ./src/promote-between-registries/operation.ts
/** promote-between-registries: copy the tested digest between registries over the distribution API. */





/**
 * verify-key, a keyless policy (trusted-root, certificate-identity…) or require-attestations given. Only then is the signature code loaded (./verify: keys,
 * cosign formats, the verification summary): it was most of the action's bundle, and parsing it
 * was most of the start-up time of every promotion that verifies nothing.
 */
function wantsVerification(inputs) {
    return (inputs.string('verify-key') !== '' ||
        inputs.string('trusted-root') !== '' ||
        inputs.line('certificate-identity') !== '' ||
        inputs.line('certificate-identity-regexp') !== '' ||
        inputs.line('certificate-oidc-issuer') !== '' ||
        inputs.list('require-attestations', { commas: true }).length > 0);
}
async function runPromote(inputs, report, signal) {
    report.mask(inputs.string('source-password'));
    report.mask(inputs.string('destination-password'));
    const verification = wantsVerification(inputs) ? await Promise.all(/* import() */[__nccwpck_require__.e(937), __nccwpck_require__.e(871)]).then(__nccwpck_require__.bind(__nccwpck_require__, 871)) : undefined;
    const policy = verification?.readVerifyPolicy(inputs);
    let request = (0,promote_between_registries_inputs/* readPromoteRequest */.S4)(inputs);
    const { options } = request;
    let verified = [];
    if (verification && policy) {
        try {
            ({ request, verified } = await verification.verifyPromotion(request, policy, (line) => report.info(line), signal));
        }
        catch (error) {
            if (!(error instanceof verification.VerificationError))
                throw error;
            return {
                outputs: { verified: 'false' },
                summary: verification.verificationSummary(error.verifications),
                error: error.message,
            };
        }
    }
    report.info(`${options.dryRun ? 'Planning' : 'Promoting'} ${request.pairs.length} image(s): ${request.pairs
        .map((p) => `${p.source.registry}/${p.source.repository} → ${p.destination.registry}/${p.destination.repository}`)
        .join(', ')}`);
    const git = (0,context/* readGitContext */.e)();
    const record = {
        runUrl: (0,context/* runUrl */.V)(git),
        actor: git.actor || process.env.USER || '',
        now: () => new Date(),
    };
    const result = await promote(request.pairs, (0,promote_between_registries_inputs/* clientsFor */.US)(request, signal), { ...options, record, ...(signal && { signal }) }, (event) => {
        switch (event.kind) {
            case 'resolved':
                report.info(`${event.source} is ${event.digest} (${event.manifests} manifest(s), ${event.blobs} blob(s))`);
                break;
            case 'up-to-date':
                report.info(`${event.destination} already has ${event.digest} under every tag: nothing to copy`);
                break;
            case 'blob':
                report.info(`${options.dryRun ? 'would ' : ''}${event.action} ${(0,common_text/* printable */.g)(event.digest.slice(0, 19))} (${(0,summary/* formatBytes */.z3)(event.size)}) → ${event.destination}${options.dryRun ? '' : ` in ${(0,summary/* formatDuration */.a3)(event.ms)}`}`);
                break;
            case 'manifest':
                report.info(`put manifest ${event.digest} → ${event.destination}`);
                break;
            case 'referrers-found':
                report.info(`${event.source}: ${event.count} referrer(s) (signatures, attestations, SBOMs, OCI referrers)`);
                break;
            case 'referrer':
                report.info(`${referrerVerb(event.action, event.dryRun)} ${(0,common_text/* printable */.g)(event.type)} ${event.digest}${event.tag ? ` (${event.tag})` : ''} → ${event.destination}`);
                break;
            case 'promotion-record':
                report.info(`${event.written ? 'wrote' : 'already there:'} promotion record ${(0,common_text/* printable */.g)(event.digest)} of ${event.subject} → ${event.destination}`);
                break;
            case 'promotion-record-failed':
                report.warning(`${event.destination} did not take the promotion record of ${event.subject} (the promotion goes on; status will not name it): ${(0,common_text/* printable */.g)(event.error, 500)}`);
                break;
            case 'tag':
                report.info(`${event.dryRun ? 'would tag' : 'tagged'} ${event.destination}:${event.tag} → ${event.digest}${event.previous ? ` (was ${event.previous})` : ''}`);
                break;
        }
    });
    report.info(options.dryRun
        ? `Dry run, nothing changed: would copy ${result.blobsToCopy} blob(s) (${(0,summary/* formatBytes */.z3)(result.bytesToCopy)}), would mount ${result.blobsToMount}, ${result.blobsSkipped} already there, would write ${result.referrersToCopy} referrer(s), would set ${result.tagsMoved} tag(s); planned in ${(0,summary/* formatDuration */.a3)(result.durationMs)}`
        : `Done: ${result.blobsCopied} copied, ${result.blobsMounted} mounted, ${result.blobsSkipped} skipped, ${(0,summary/* formatBytes */.z3)(result.bytesCopied)}, ${result.referrersCopied} referrer(s) written in ${(0,summary/* formatDuration */.a3)(result.durationMs)}`);
    return {
        outputs: {
            digest: result.images[0]?.digest ?? '',
            refs: result.images.map((i) => i.ref).join('\n'),
            'blobs-copied': String(result.blobsCopied),
            'blobs-mounted': String(result.blobsMounted),
            'blobs-skipped': String(result.blobsSkipped),
            'bytes-copied': String(result.bytesCopied),
            'blobs-to-copy': String(result.blobsToCopy),
            'blobs-to-mount': String(result.blobsToMount),
            'bytes-to-copy': String(result.bytesToCopy),
            'referrers-copied': String(result.referrersCopied),
            'referrers-to-copy': String(result.referrersToCopy),
            'duration-ms': String(Math.round(result.durationMs)),
            ...(policy && { verified: 'true' }),
        },
        summary: [
            ...(verification?.verificationSummary(verified) ?? []),
            (0,summary/* heading */.R_)(options.dryRun ? 'Promotion plan (dry run: nothing changed)' : 'Promoted'),
            (0,summary/* table */.tp)(['Source', 'Destination', 'Digest', 'Tags'], result.images.map((i) => [
                new summary/* Code */.Cy(i.source),
                new summary/* Code */.Cy(i.destination),
                new summary/* Code */.Cy(i.digest),
                i.tags.join(', '),
            ])),
            (0,summary/* facts */.Ix)(options.dryRun
                ? [
                    ['Blobs that would be copied', result.blobsToCopy],
                    ['Blobs that would be mounted', result.blobsToMount],
                    ['Blobs already there', result.blobsSkipped],
                    ['Bytes that would be copied', (0,summary/* formatBytes */.z3)(result.bytesToCopy)],
                    ['Referrers that would be written', result.referrersToCopy],
                    ['Tags that would be set', result.tagsMoved],
                    ['Duration', (0,summary/* formatDuration */.a3)(result.durationMs)],
                ]
                : [
                    ['Blobs copied', result.blobsCopied],
                    ['Blobs mounted', result.blobsMounted],
                    ['Blobs skipped', result.blobsSkipped],
                    ['Bytes copied', (0,summary/* formatBytes */.z3)(result.bytesCopied)],
                    ['Referrers written', result.referrersCopied],
                    ...(result.promotionRecords.length > 0
                        ? [
                            [
                                'Promotion record',
                                result.promotionRecords
                                    .map((r) => new summary/* Code */.Cy(`${r.destination}@${r.digest}`).text)
                                    .join(', '),
                            ],
                        ]
                        : []),
                    ['Tags moved', result.tagsMoved],
                    ['Duration', (0,summary/* formatDuration */.a3)(result.durationMs)],
                ]),
            ...(result.referrers.length > 0
                ? [
                    (0,summary/* heading */.R_)(options.dryRun ? 'Referrers (plan)' : 'Referrers', 4),
                    (0,summary/* table */.tp)([
                        'Destination',
                        'Type',
                        'Digest',
                        'Refers to',
                        'Found through',
                        options.dryRun ? 'Would' : 'Done',
                    ], result.referrers.map((r) => [
                        new summary/* Code */.Cy(r.destination),
                        r.type,
                        new summary/* Code */.Cy(r.digest),
                        new summary/* Code */.Cy(r.subject),
                        r.tag ? `tag ${r.tag}` : r.found === 'referrers-api' ? 'referrers API' : 'fallback tag',
                        r.action,
                    ])),
                ]
                : []),
        ],
    };
}
function referrerVerb(action, dryRun) {
    const verbs = {
        present: 'already there:',
        copy: 'copied',
        register: 'listed in the fallback tag:',
        merge: "merged into the destination's tag:",
    };
    return action === 'present' ? verbs.present : `${dryRun ? 'would be ' : ''}${verbs[action]}`;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: ./src/common/workflow-commands.ts
/**
 * The runner's side of an action, spoken directly: workflow commands on stdout (::error::,
 * ::add-mask::, ::group::) and file commands ($GITHUB_OUTPUT, $GITHUB_STATE, $GITHUB_ENV), byte
 * for byte what @actions/core writes (a unit test holds them side by side). @actions/core itself
 * is not loaded: its OIDC client brings undici and more, about a megabyte of bundle that every
 * action paid for at start-up (about 60 ms and 20 MiB before any work).
 */



function commandValue(input) {
    if (input === null || input === undefined)
        return '';
    if (typeof input === 'string' || input instanceof String)
        return String(input);
    return JSON.stringify(input);
}
const escapeData = (s) => commandValue(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
/** `::name key=value,…::message` on stdout (properties without a value are left out). */
function issueCommand(name, properties, message) {
    const props = Object.entries(properties)
        .filter(([, value]) => value)
        .map(([key, value]) => `${key}=${escapeProperty(value)}`)
        .join(',');
    process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${external_node_os_.EOL}`);
}
/** `name<<delimiter` … in the runner's file for `kind`; false when the runner gives no such file. */
function fileCommand(kind, name, value) {
    const path = process.env[`GITHUB_${kind}`] || '';
    if (!path)
        return false;
    if (!(0,external_node_fs_.existsSync)(path))
        throw new Error(`Missing file at path: ${path}`);
    const delimiter = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`;
    const text = commandValue(value);
    if (name.includes(delimiter))
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    if (text.includes(delimiter))
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    (0,external_node_fs_.appendFileSync)(path, `${name}<<${delimiter}${external_node_os_.EOL}${text}${external_node_os_.EOL}${delimiter}${external_node_os_.EOL}`, { encoding: 'utf8' });
    return true;
}
const annotation = (p) => ({ title: p.title, file: p.file, line: p.startLine });
const info = (message) => void process.stdout.write(message + external_node_os_.EOL);
const debug = (message) => issueCommand('debug', {}, message);
const warning = (message, properties = {}) => issueCommand('warning', annotation(properties), message);
const error = (message, properties = {}) => issueCommand('error', annotation(properties), message);
const setSecret = (secret) => issueCommand('add-mask', {}, secret);
/** Fails the step: an error annotation and exit code 1. */
function setFailed(message) {
    process.exitCode = 1;
    error(message);
}
async function group(name, fn) {
    issueCommand('group', {}, name);
    try {
        return await fn();
    }
    finally {
        issueCommand('endgroup', {}, '');
    }
}
function setOutput(name, value) {
    if (fileCommand('OUTPUT', name, value))
        return;
    process.stdout.write(external_node_os_.EOL);
    issueCommand('set-output', { name }, commandValue(value));
}
function saveState(name, value) {
    if (!fileCommand('STATE', name, value))
        issueCommand('save-state', { name }, commandValue(value));
}
const getState = (name) => process.env[`STATE_${name}`] || '';
function exportVariable(name, value) {
    const text = commandValue(value);
    process.env[name] = text;
    if (!fileCommand('ENV', name, value))
        issueCommand('set-env', { name }, text);
}

// EXTERNAL MODULE: ./src/common/inputs.ts
var inputs = __nccwpck_require__(9184);
;// CONCATENATED MODULE: ./src/common/secrets.ts
/**
 * Secret masking. Every secret value an action receives goes through maskSecret before anything
 * is logged, so the runner replaces it with *** wherever it would appear.
 */

/** Registers a secret with the runner: the whole value and each of its lines (multi-line keys). */
function maskSecret(value, register = setSecret) {
    if (!value)
        return;
    register(value);
    const lines = value.split(/\r?\n/).map((l) => l.trim());
    if (lines.length > 1) {
        for (const line of lines)
            if (line.length >= 4)
                register(line);
    }
}
/** Replaces known secret values in a text (for output we capture and print ourselves). */
function redact(text, secrets) {
    let out = text;
    for (const secret of secrets) {
        if (secret.length >= 4)
            out = out.split(secret).join('***');
    }
    return out;
}

;// CONCATENATED MODULE: ./src/common/cancel.ts
/**
 * Cancellation: GitHub's Cancel button sends SIGINT, then SIGTERM, then SIGKILL a few seconds later
 * (a Ctrl-C in a terminal sends SIGINT). An operation that can clean up after itself asks for a
 * signal that the first of those aborts, so it stops starting new work, undoes or finishes the step
 * in progress and runs its cleanups, instead of dying where it stands.
 */
class CancelledError extends Error {
    constructor(signal) {
        super(`cancelled (${signal})`);
        this.name = 'CancelledError';
    }
}
/**
 * A signal that the first SIGINT/SIGTERM aborts. With `exitOnSecond` (a terminal, where a person
 * presses Ctrl-C again when cleaning up takes too long) a second one exits at once with 130.
 */
function abortOnSignals(log, options = {}) {
    const controller = new AbortController();
    const onSignal = (name) => {
        if (controller.signal.aborted) {
            if (options.exitOnSecond)
                process.exit(130);
            return;
        }
        log(`${name}: cancelling — no new work is started; cleaning up what this run started`);
        controller.abort(new CancelledError(name));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return controller.signal;
}

;// CONCATENATED MODULE: ./src/actions/runtime.ts
/**
 * What every action entry point shares: the main/post split, the reporter that speaks the runner's
 * language (log commands, outputs, state, job summary), and turning errors into a failed step.
 */





const POST_STATE = 'slipway-post';
/** The GitHub runner as a Reporter. */
const actionReporter = {
    info: (line) => info(line),
    warning: (line) => warning(line),
    annotate: (message, where) => error(message, {
        ...(where.title && { title: where.title }),
        ...(where.file && { file: where.file }),
        ...(where.line !== undefined && { startLine: where.line }),
    }),
    group: (title, work) => group(title, work),
    stream: (chunk) => process.stdout.write(chunk),
    mask: (secret) => maskSecret(secret),
    saveState: (name, value) => saveState(name, value),
    readState: (name) => getState(name),
    exportVariable: (name, value) => exportVariable(name, value),
};
/** Writes an operation's outputs and summary; its error fails the step. */
function finish(outcome) {
    for (const [name, value] of Object.entries(outcome.outputs))
        setOutput(name, value);
    (0,summary/* writeSummary */.Sy)(outcome.summary);
    if (outcome.error)
        throw new Error(outcome.error);
}
/** Runs the main or the post phase of an action and reports failures as a failed step. */
async function runAction(definition) {
    const context = { inputs: new inputs/* Inputs */.G0((0,inputs/* envInputReader */.tT)()), report: actionReporter };
    const isPost = getState(POST_STATE) === 'true';
    try {
        if (isPost) {
            await definition.post?.(context);
            return;
        }
        if (definition.post)
            saveState(POST_STATE, 'true');
        const outcome = await definition.main(definition.cancellable ? { ...context, signal: abortOnSignals((line) => warning(line)) } : context);
        if (outcome)
            finish(outcome);
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (isPost)
            warning(`cleanup: ${message}`);
        else
            setFailed(message);
        if (process.env.RUNNER_DEBUG === '1' && error instanceof Error && error.stack)
            debug(error.stack);
    }
}

;// CONCATENATED MODULE: ./src/actions/promote-between-registries.ts


void runAction({
    cancellable: true,
    main: ({ inputs, report, signal }) => runPromote(inputs, report, signal),
});

module.exports = __webpack_exports__;
/******/ })()
;