/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
/******/ 	// The require scope
/******/ 	var __nccwpck_require__ = {};
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
/******/ 	/* webpack/runtime/hasOwnProperty shorthand */
/******/ 	(() => {
/******/ 		__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/compat */
/******/ 	
/******/ 	if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = __dirname + "/";
/******/ 	
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = require("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = require("node:os");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = require("node:path");
;// CONCATENATED MODULE: ./src/command/command.ts
class CommandFailedError extends Error {
    result;
    command;
    constructor(command, result, where) {
        const what = command.label ?? describeArgv(command.argv);
        const why = result.timedOut
            ? `timed out after ${command.timeoutMs} ms`
            : `exited with ${result.exitCode}`;
        const detail = lastLines(result.stderr || result.stdout, 20);
        super(`${what} (${where}) ${why}${detail ? `:\n${detail}` : ''}`);
        this.name = 'CommandFailedError';
        this.result = result;
        this.command = command;
    }
}
/** Runs a command and throws CommandFailedError unless it exits 0. */
async function runChecked(runner, command, options) {
    const result = await runner.run(command, options);
    if (result.exitCode !== 0 || result.timedOut)
        throw new CommandFailedError(command, result, runner.where);
    return result;
}
/** A readable one-line rendering of argv for logs (not for execution). */
function describeArgv(argv) {
    return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}
function lastLines(text, count) {
    const lines = text.trimEnd().split('\n');
    return lines.slice(-count).join('\n');
}

;// CONCATENATED MODULE: ./src/docker/target.ts
/** The docker client: SLIPWAY_DOCKER when set (e.g. a client with BuildKit), else docker on PATH. */
function dockerBinary(env = process.env) {
    return env.SLIPWAY_DOCKER || 'docker';
}
/** One docker invocation for `target`: its program, then `args`; the target's environment under `extra.env`. */
function dockerCommand(target, args, extra = {}) {
    return { argv: [target.docker, ...args], ...extra, env: { ...target.env, ...extra.env } };
}
/** `--label k=v` for each label (or another flag taking k=v, such as `--label-add`). */
function labelFlags(labels, flag = '--label') {
    return Object.entries(labels).flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

;// CONCATENATED MODULE: ./src/docker/builds.ts

/** One buildx invocation: the plugin run standalone when the target names it, else `docker buildx`. */
function buildxCommand(target, args, extra = {}) {
    return target.buildx
        ? dockerCommand({ ...target, docker: target.buildx }, args, extra)
        : dockerCommand(target, ['buildx', ...args], extra);
}
/** Name of the environment variable that carries the i-th build secret to the docker client. */
function secretEnvName(index) {
    return `SLIPWAY_BUILD_SECRET_${index}`;
}
function build(target, spec) {
    const args = ['build', '--progress', 'plain', '--iidfile', spec.iidFile];
    if (spec.file)
        args.push('--file', spec.file);
    if (spec.target)
        args.push('--target', spec.target);
    for (const tag of spec.tags)
        args.push('--tag', tag);
    for (const [key, value] of spec.buildArgs)
        args.push('--build-arg', `${key}=${value}`);
    for (const [key, value] of spec.labels)
        args.push('--label', `${key}=${value}`);
    const env = { DOCKER_BUILDKIT: '1' };
    spec.secrets.forEach(([id, value], i) => {
        args.push('--secret', `id=${id},env=${secretEnvName(i)}`);
        env[secretEnvName(i)] = value;
    });
    for (const ref of spec.cacheFrom)
        args.push('--cache-from', ref);
    if (spec.pull)
        args.push('--pull');
    if (spec.noCache)
        args.push('--no-cache');
    args.push(spec.context);
    return dockerCommand(target, args, { env, label: `docker build ${spec.context}` });
}
/**
 * buildx's --output that pushes by digest to the repositories of `tags` (their tags dropped) and
 * sets no tag: a CSV field, quoted when it names several repositories.
 */
function pushByDigestOutput(tags) {
    const names = [...new Set(tags.map((t) => t.replace(/@.*$/, '').replace(/:[^:/]+$/, '')))];
    const name = `name=${names.join(',')}`;
    return `type=image,${names.length > 1 ? `"${name}"` : name},push-by-digest=true,name-canonical=true,push=true`;
}
/** `docker buildx build`: several platforms, cache import/export, attestations, push from the builder. */
function buildxBuild(target, spec) {
    const args = ['build', '--progress', 'plain', '--metadata-file', spec.metadataFile];
    if (spec.builder)
        args.push('--builder', spec.builder);
    if (spec.iidFile)
        args.push('--iidfile', spec.iidFile);
    if (spec.platforms.length > 0)
        args.push('--platform', spec.platforms.join(','));
    if (spec.file)
        args.push('--file', spec.file);
    if (spec.target)
        args.push('--target', spec.target);
    const byDigest = spec.output === 'push' && spec.pushByDigest;
    if (!byDigest)
        for (const tag of spec.tags)
            args.push('--tag', tag);
    for (const [key, value] of spec.buildArgs)
        args.push('--build-arg', `${key}=${value}`);
    for (const [key, value] of spec.labels)
        args.push('--label', `${key}=${value}`);
    for (const annotation of spec.annotations)
        args.push('--annotation', annotation);
    // Only the digests are read from the metadata file: no provenance resolved into it.
    const env = { BUILDX_METADATA_PROVENANCE: 'disabled', ...spec.env };
    spec.secrets.forEach(([id, value], i) => {
        args.push('--secret', `id=${id},env=${secretEnvName(i)}`);
        env[secretEnvName(i)] = value;
    });
    for (const cache of spec.cacheFrom)
        args.push('--cache-from', cache);
    for (const cache of spec.cacheTo)
        args.push('--cache-to', cache);
    if (spec.provenance !== undefined)
        args.push('--provenance', spec.provenance);
    if (spec.sbom !== undefined)
        args.push('--sbom', spec.sbom);
    if (byDigest)
        args.push('--output', pushByDigestOutput(spec.tags));
    else if (spec.output === 'push')
        args.push('--push');
    if (spec.output === 'load')
        args.push('--load');
    if (spec.pull)
        args.push('--pull');
    if (spec.noCache)
        args.push('--no-cache');
    args.push(spec.context);
    const what = spec.platforms.length > 0 ? ` for ${spec.platforms.join(',')}` : '';
    return buildxCommand(target, args, { env, label: `docker buildx build ${spec.context}${what}` });
}
/** `docker buildx inspect [builder]`: its driver and platforms (the selected builder when none is named). */
function buildxInspect(target, builder) {
    return buildxCommand(target, ['inspect', ...(builder ? [builder] : [])]);
}

;// CONCATENATED MODULE: ./src/docker/images.ts

/** The engine's own platform, os/arch. */
function serverPlatform(target) {
    return dockerCommand(target, ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
}
/** The engine's API version (1.41 for Docker 20.10). */
function serverApiVersion(target) {
    return cmd(target, ['version', '--format', '{{.Server.APIVersion}}']);
}
/** The storage driver's status, which names the containerd snapshotter when the engine stores images there. */
function storageDriverStatus(target) {
    return dockerCommand(target, ['info', '--format', '{{json .DriverStatus}}']);
}
function inspectImage(target, ref) {
    return dockerCommand(target, ['image', 'inspect', '--format', '{{json .}}', ref]);
}
/**
 * An image's platform in the engine's store: os/arch[/variant]. With `platform`, that platform of a
 * multi-platform image the engine holds whole (the containerd image store; Docker 28+ clients).
 */
function imagePlatform(target, ref, platform) {
    return cmd(target, [
        'image',
        'inspect',
        ...(platform ? ['--platform', platform] : []),
        '--format',
        '{{.Os}}/{{.Architecture}}{{if .Variant}}/{{.Variant}}{{end}}',
        ref,
    ]);
}
function historyOf(target, ref) {
    return cmd(target, ['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', ref]);
}
function tag(target, source, destination) {
    return cmd(target, ['tag', source, destination]);
}
function push(target, ref) {
    return cmd(target, ['push', ref]);
}
function pull(target, ref) {
    return cmd(target, ['pull', '--quiet', ref]);
}
/** docker login with the password on stdin (never argv). */
function login(target, registry, username, password) {
    return cmd(target, ['login', '--username', username, '--password-stdin', registry], {
        stdin: password,
        label: `docker login ${registry} as ${username}`,
    });
}
function logout(target, registry) {
    return cmd(target, ['logout', registry]);
}
function removeImage(target, image) {
    return cmd(target, ['image', 'rm', image]);
}
/** The repository digests the engine knows an image by (JSON: a list, or null). */
function repoDigests(target, image) {
    return cmd(target, ['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
}

;// CONCATENATED MODULE: ./src/common/text.ts
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

;// CONCATENATED MODULE: ./src/common/reference.ts
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
function reference_parseReference(input, options = {}) {
    const value = input;
    if (value.length === 0)
        throw new InvalidReferenceError(value, 'it is empty');
    if (/\s/.test(value))
        throw new InvalidReferenceError(value, 'it contains white space');
    if (hasControlCharacter(value))
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

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = require("node:crypto");
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
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = require("node:net");
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
            const child = (0,external_node_child_process_namespaceObject.spawn)(file, args, {
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
            const socket = (0,external_node_net_namespaceObject.connect)({ host, port });
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

;// CONCATENATED MODULE: ./src/registry/credentials.ts
/**
 * Registry credentials: given explicitly (inputs), or found the way docker finds them in
 * config.json — credHelpers for the registry, then credsStore, then auths.
 */






/** Keys docker uses for a registry in config.json (docker.io has a legacy URL form). */
function configKeys(registry) {
    if (registry === DEFAULT_REGISTRY) {
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
    return (0,external_node_path_namespaceObject.join)(env.DOCKER_CONFIG ?? (0,external_node_path_namespaceObject.join)((0,external_node_os_namespaceObject.homedir)(), '.docker'), 'config.json');
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
        child.stdin?.end(registry === DEFAULT_REGISTRY ? 'https://index.docker.io/v1/' : registry);
    });
}
/** Credentials for a registry from docker's config.json, or undefined (anonymous). */
async function credentialsFromDockerConfig(registry, configPath = dockerConfigPath()) {
    if (!(0,external_node_fs_namespaceObject.existsSync)(configPath))
        return undefined;
    let config;
    try {
        config = JSON.parse((0,external_node_fs_namespaceObject.readFileSync)(configPath, 'utf8'));
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

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = require("node:http");
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_namespaceObject);
;// CONCATENATED MODULE: ./src/registry/stall.ts
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
const IDLE_TIMEOUT_MS = 2 * STALL_WINDOW_MS;
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
    const watch = watchStall(() => res.body.destroy(new StallError(`${name}: the answer stalled (${stallWindowText()})`)));
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

;// CONCATENATED MODULE: ./src/registry/descriptor.ts
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
        return `"${printable(value, 80)}"`;
    if (value === undefined)
        return 'nothing';
    let text;
    try {
        text = JSON.stringify(value) ?? String(value);
    }
    catch {
        text = String(value);
    }
    return printable(text, 80);
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
        throw new InvalidContentError(`${what} is not valid JSON (${printable(error instanceof Error ? error.message : String(error), 120)})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new InvalidContentError(`${what} is not a JSON object`);
    return value;
}

;// CONCATENATED MODULE: ./src/common/retry.ts
/** Retry policy for registry and docker operations: transient failures only, with backoff. */
const DEFAULT_RETRY = {
    retries: 4,
    baseDelayMs: Number(process.env.SLIPWAY_RETRY_BASE_MS ?? 500),
    maxDelayMs: 20_000,
};
/** HTTP statuses worth retrying: timeouts, rate limits, server errors. Never 401/403/404. */
function retry_isRetryableStatus(status) {
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
function retry_isTransientNetworkError(error) {
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
        return error.transient ?? isRetryableStatus(error.status);
    return isTransientNetworkError(error);
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
        const res = await request({ method: 'GET', url: `http://${host}/v2/`, timeoutMs, maxRedirects: 0 });
        discard(res);
        return res.status === 200 || res.status === 401;
    }
    catch {
        return false;
    }
}
const pullScope = (repository) => `repository:${repository}:pull`;
const pushScope = (repository) => `repository:${repository}:pull,push`;
function sha256(bytes) {
    return `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(bytes).digest('hex')}`;
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
        const registryHost = registryApiHost(this.registry);
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
            return await readBody(res, limit, `${this.label}: ${what}`);
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
        const host = registryApiHost(this.registry);
        const plainAllowed = this.options.insecure === true || isLoopbackRegistry(this.registry);
        const policy = this.options.retry ?? DEFAULT_RETRY;
        // Most registries on this machine with a port speak plain HTTP: asked that way first, they
        // need no TLS set up at all (node:tls and its CA roots are about 20 ms of a short run).
        if (plainHttpFirst(this.registry) && (await answersPlainHttp(host)))
            return `http://${host}`;
        for (let attempt = 0;; attempt++) {
            try {
                const res = await request({
                    method: 'GET',
                    url: `https://${host}/v2/`,
                    timeoutMs: 15_000,
                    ...this.tlsOptions,
                    ...this.signalOption,
                });
                discard(res);
                return `https://${host}`;
            }
            catch (error) {
                const cause = classifyNetworkError(error);
                if (plainAllowed && (cause.kind === 'not-tls' || cause.kind === 'reset')) {
                    try {
                        const res = await request({
                            method: 'GET',
                            url: `http://${host}/v2/`,
                            timeoutMs: 15_000,
                            ...this.signalOption,
                        });
                        discard(res);
                        return `http://${host}`;
                    }
                    catch (plainError) {
                        throw this.networkError(plainError, 'over HTTPS and plain HTTP');
                    }
                }
                // A refused connection or a certificate is not worth waiting for; a dropped one may be.
                if ((cause.kind === 'reset' || (cause.kind === 'dns' && cause.transient)) &&
                    attempt < policy.retries) {
                    await sleep(retryDelayMs(attempt + 1, policy), this.options.signal);
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
            res = await request({
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
            json = parseJsonObject(body, `${this.label}: the answer of the token server ${url.host}`);
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
        const challenge = parseChallenge(header(res, 'www-authenticate') ?? '');
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
        const policy = this.options.retry ?? DEFAULT_RETRY;
        let reauthenticated = false;
        for (let attempt = 0;; attempt++) {
            let res;
            // The registry's credentials go to the registry only: an upload Location naming another host
            // (storage behind the registry, or a hostile answer) gets none.
            const authorization = url.host === new URL(base).host ? await this.authorization(req.scopes) : undefined;
            if (authorization && !this.credentialsMayGoTo(url))
                throw new RegistryError(`${this.label}: refusing to send credentials over plain HTTP to ${url.host} (not listed in insecure)`, 401);
            try {
                res = await request({
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
                    const delay = retryDelayMs(attempt + 1, policy);
                    this.options.onRetry?.(`${req.method} ${url.pathname}`, attempt + 1, delay, cause.text);
                    await sleep(delay, this.options.signal);
                    continue;
                }
                throw this.networkError(error, `${req.method} ${url.pathname}`);
            }
            if (res.status === 401 && !reauthenticated && replayable) {
                discard(res);
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
                discard(res);
                throw new RegistryError(this.scheme === 'basic'
                    ? `${this.label}: credentials refused (401)`
                    : `${this.label}: access refused (401) for ${req.method} ${url.pathname}: the token does not grant ${req.scopes.join(' ')}`, 401);
            }
            if (replayable && retry_isRetryableStatus(res.status) && attempt < policy.retries) {
                const delay = retryDelayMs(attempt + 1, policy, header(res, 'retry-after'));
                discard(res);
                this.options.onRetry?.(`${req.method} ${url.pathname}`, attempt + 1, delay, `HTTP ${res.status}`);
                await sleep(delay, this.options.signal);
                continue;
            }
            return res;
        }
    }
    /** Throws a RegistryError with the registry's own error text unless the status is expected. */
    async expect(res, statuses, what) {
        if (statuses.includes(res.status))
            return res;
        const body = await readBody(res, 64 * 1024).catch(() => {
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
        detail = printable(detail, 500);
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
        discard(res);
        if (res.status === 404)
            return undefined;
        await this.expect(res, [200], `HEAD manifest ${repository}:${reference}`);
        const digest = header(res, 'docker-content-digest');
        if (!digest) {
            // Some registries omit the digest on HEAD: fall back to GET and hash.
            const manifest = await this.getManifest(repository, reference);
            return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
        }
        if (!isDigest(digest))
            throw new RegistryError(`${this.label}: HEAD manifest ${repository}:${reference}: Docker-Content-Digest ${shown(digest)} is not a digest`, 502, undefined, false);
        const mediaType = contentType(res);
        const size = Number(header(res, 'content-length') ?? 0);
        return {
            digest,
            mediaType: isMediaType(mediaType) ? mediaType : '',
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
        const mediaType = isMediaType(type) ? type : mediaTypeOf(bytes);
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
        discard(res);
        const stored = header(res, 'docker-content-digest');
        if (stored === undefined)
            return sha256(manifest.bytes);
        if (!isDigest(stored))
            throw new RegistryError(`${this.label}: PUT manifest ${repository}:${reference}: Docker-Content-Digest ${shown(stored)} is not a digest`, 502, undefined, false);
        return stored;
    }
}
/** The largest manifest read (distribution's own limit is 4 MiB). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** The Content-Type's media type, parameters dropped ('' when none). */
function contentType(res) {
    return (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
}
function mediaTypeOf(bytes) {
    try {
        const parsed = JSON.parse(bytes.toString('utf8'));
        if (isMediaType(parsed.mediaType))
            return parsed.mediaType;
        return parsed.manifests ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
    }
    catch {
        return MEDIA_TYPES.ociManifest;
    }
}

;// CONCATENATED MODULE: ./src/registry/resolve.ts
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

;// CONCATENATED MODULE: ./src/common/secret-inputs.ts
// Generated by scripts/action-docs.mjs from the action.yml files (inputs whose description says
// "masked"): do not edit.
const SECRET_INPUT_NAMES = [
    'destination-password',
    'passphrase',
    'password',
    'private-key',
    'registry-password',
    'secret-env',
    'secrets',
    'sign-key',
    'sign-key-password',
    'source-password',
];

;// CONCATENATED MODULE: ./src/common/inputs.ts


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
 * Inputs whose values are secret, in every action and the CLI (which uses the same names): those
 * whose description in action.yml says they are masked (generated into secret-inputs.ts). An error
 * about one of them never shows its value, nor any part of a line of it.
 */
const SECRET_INPUTS = new Set(SECRET_INPUT_NAMES);
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
        if (hasControlCharacter(value))
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

;// CONCATENATED MODULE: ./src/build-and-tag/buildx.ts
/**
 * What a buildx build needs decided before it runs, as pure functions: platforms, cache entries in
 * buildx's own syntax, annotations, the builder's driver read from `docker buildx inspect`, and
 * whether that builder can do what was asked (the docker driver on the classic image store can
 * neither build an index of several platforms nor export a cache).
 */


const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
/** `platforms`: os/arch[/variant], comma- or line-separated, without duplicates. */
function parsePlatforms(text) {
    const platforms = [
        ...new Set(text
            .split(/[,\n]/)
            .map((p) => p.trim())
            .filter(Boolean)),
    ];
    for (const platform of platforms) {
        if (!PLATFORM.test(platform))
            throw new InputError('platforms', `${JSON.stringify(platform)} is not os/arch[/variant] (e.g. linux/arm64)`);
    }
    return platforms;
}
/** Splits one CSV line the way buildx reads --cache-from/--cache-to (double quotes group a field). */
function splitCsv(line) {
    const fields = [];
    let field = '';
    let quoted = false;
    for (const char of line) {
        if (char === '"')
            quoted = !quoted;
        else if (char === ',' && !quoted) {
            fields.push(field);
            field = '';
        }
        else
            field += char;
    }
    if (quoted)
        throw new Error('unterminated quote');
    fields.push(field);
    return fields.map((f) => f.trim()).filter(Boolean);
}
const CACHE_TYPES = ['registry', 'local', 'gha', 'inline', 's3', 'azblob'];
/** Cache attributes that carry credentials: never accepted on the command line. */
const CREDENTIAL_ATTRS = [
    'token',
    'secret_access_key',
    'session_token',
    'access_key_id',
    'account_key',
    'secret',
];
/** What a cache type needs, per direction. */
const REQUIRED = {
    registry: { from: 'ref', to: 'ref' },
    local: { from: 'src', to: 'dest' },
};
/**
 * One `cache-from`/`cache-to` line: buildx's `type=…,key=value` syntax, or a bare image reference,
 * taken as `type=registry,ref=<reference>` (what cache-from always accepted).
 */
function parseCacheEntry(input, line) {
    if (!line.includes('=')) {
        let ref;
        try {
            ref = formatReference(reference_parseReference(line));
        }
        catch (error) {
            throw new InputError(input, `${JSON.stringify(line)}: ${error.message}`);
        }
        return { type: 'registry', attrs: [['ref', ref]] };
    }
    let fields;
    try {
        fields = splitCsv(line);
    }
    catch (error) {
        throw new InputError(input, `${JSON.stringify(line)}: ${error.message}`);
    }
    // Credentials in a cache attribute would ride on buildx's command line (visible in `ps`, echoed
    // in its errors): refused, naming only the key, never the value.
    for (const field of fields) {
        const key = field
            .slice(0, Math.max(field.indexOf('='), 0))
            .trim()
            .toLowerCase();
        if (CREDENTIAL_ATTRS.includes(key))
            throw new InputError(input, `${key}= would put a credential on the buildx command line: leave it out and give it in the environment (ACTIONS_RUNTIME_TOKEN for type=gha, AWS_* for type=s3, AZURE_STORAGE_* for type=azblob)`);
    }
    let type = '';
    const attrs = [];
    for (const field of fields) {
        const eq = field.indexOf('=');
        if (eq <= 0)
            throw new InputError(input, `${JSON.stringify(field)} is not key=value (in ${JSON.stringify(line)})`);
        const key = field.slice(0, eq).trim().toLowerCase();
        const value = field.slice(eq + 1).trim();
        if (key === 'type')
            type = value;
        else
            attrs.push([key, value]);
    }
    if (!type)
        throw new InputError(input, `${JSON.stringify(line)} has no type= (registry, gha, local, inline…)`);
    if (!CACHE_TYPES.includes(type))
        throw new InputError(input, `type=${type} is not a cache type buildx knows (${CACHE_TYPES.join(', ')})`);
    const needed = REQUIRED[type]?.[input === 'cache-from' ? 'from' : 'to'];
    if (needed && !attrs.some(([k]) => k === needed))
        throw new InputError(input, `type=${type} needs ${needed}=… (in ${JSON.stringify(line)})`);
    if (type === 'registry') {
        const ref = attrs.find(([k]) => k === 'ref')?.[1] ?? '';
        try {
            reference_parseReference(ref);
        }
        catch (error) {
            throw new InputError(input, `ref=${ref}: ${error.message}`);
        }
    }
    if (type === 'inline' && input === 'cache-from')
        throw new InputError(input, 'type=inline is a cache-to type; import an inline cache with type=registry,ref=IMAGE');
    return { type, attrs };
}
/** The entry as buildx's flag value (fields with a comma or quote are quoted). */
function formatCacheEntry(entry) {
    const quote = (s) => (/[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    return [`type=${entry.type}`, ...entry.attrs.map(([k, v]) => quote(`${k}=${v}`))].join(',');
}
/** Whether a value of a `provenance`/`sbom` input turns the attestation on (`false`/`0` off). */
function attestationOn(value) {
    if (value === undefined || value === '')
        return false;
    return !/^(false|0|disabled)$/i.test(value.trim());
}
const ANNOTATION = /^(?:([a-z-]+(?:\[[^\]]+\])?(?:,[a-z-]+(?:\[[^\]]+\])?)*):)?([A-Za-z0-9][A-Za-z0-9._/-]*)=(.*)$/s;
const ANNOTATION_LEVELS = ['manifest', 'index', 'manifest-descriptor', 'index-descriptor'];
/** `annotations`: `[level:]key=value` one a line, as docker buildx build --annotation takes them. */
function parseAnnotation(line) {
    const match = ANNOTATION.exec(line);
    if (!match)
        throw new InputError('annotations', `each line must be [type:]key=value, got ${JSON.stringify(line)}`);
    for (const level of (match[1] ?? '').split(',').filter(Boolean)) {
        const name = level.replace(/\[.*$/, '');
        if (!ANNOTATION_LEVELS.includes(name))
            throw new InputError('annotations', `${JSON.stringify(name)} is not one of ${ANNOTATION_LEVELS.join(', ')}`);
    }
    return line;
}
/** The builder's name, driver and platforms from `docker buildx inspect` (its first node). */
function parseBuilderInspect(text) {
    const field = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return {
        name: field('Name'),
        driver: field('Driver'),
        platforms: field('Platforms')
            .split(',')
            .map((p) => p.trim().replace(/\*$/, ''))
            .filter(Boolean),
    };
}
/**
 * Where buildx keeps the instance file of the builder `name` (created by docker buildx create, or
 * docker/setup-buildx-action): $BUILDX_CONFIG, else $DOCKER_CONFIG/buildx, else ~/.docker/buildx,
 * then instances/<name>. Undefined for a name buildx would not store as a file name.
 */
function builderInstancePath(name, env, home) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
        return undefined;
    const config = env.BUILDX_CONFIG || `${env.DOCKER_CONFIG || `${home}/.docker`}/buildx`;
    return `${config}/instances/${name}`;
}
/** Drivers whose builder runs BuildKit itself: every platform, cache export and attestation, no image-store check. */
const OWN_BUILDKIT_DRIVERS = ['docker-container', 'remote', 'kubernetes'];
/**
 * The builder `name` as its instance file describes it, when its driver is one that can do
 * everything a build asks (so no `docker buildx inspect` is needed before building); undefined
 * otherwise (no such file, another name, the docker driver, unreadable JSON): then ask buildx.
 */
function builderFromInstance(text, name) {
    let json;
    try {
        json = JSON.parse(text);
    }
    catch {
        return undefined;
    }
    if (json.Name !== name || typeof json.Driver !== 'string' || !OWN_BUILDKIT_DRIVERS.includes(json.Driver))
        return undefined;
    const nodes = Array.isArray(json.Nodes) ? json.Nodes : [];
    const platforms = nodes
        .flatMap((n) => (Array.isArray(n.Platforms) ? n.Platforms : []))
        .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/'))
        .filter(Boolean);
    return { name, driver: json.Driver, platforms };
}
/** Whether the engine stores images in containerd (`docker info` DriverStatus names its snapshotter). */
function containerdStore(driverStatus) {
    return driverStatus.includes('io.containerd.snapshotter');
}
const NEEDS_BUILDER = 'that needs a BuildKit builder that can export it: a docker-container or remote builder (docker buildx create --driver docker-container --name NAME, or docker/setup-buildx-action on GitHub) passed as builder, or an engine with the containerd image store';
/**
 * The first input this builder cannot honour, as an InputError, or undefined. The docker driver on
 * the classic image store builds one platform and exports only an inline cache and no attestations.
 */
function builderRefusal(builder, classicStore, needs) {
    if (builder.driver !== 'docker' || !classicStore)
        return undefined;
    const which = `the builder ${JSON.stringify(builder.name || 'default')} (docker driver, classic image store)`;
    if (needs.platforms.length > 1)
        return new InputError('platforms', `${needs.platforms.join(', ')}: ${which} builds one platform at a time; ${NEEDS_BUILDER}`);
    const exported = needs.cacheTo.find((c) => c.type !== 'inline');
    if (exported)
        return new InputError('cache-to', `type=${exported.type}: ${which} cannot export a cache (only type=inline); ${NEEDS_BUILDER}`);
    if (attestationOn(needs.provenance))
        return new InputError('provenance', `${which} cannot attach attestations; ${NEEDS_BUILDER}`);
    if (attestationOn(needs.sbom))
        return new InputError('sbom', `${which} cannot attach attestations; ${NEEDS_BUILDER}`);
    if (needs.annotations.length > 0)
        return new InputError('annotations', `${which} drops annotations; ${NEEDS_BUILDER}`);
    return undefined;
}
/** `docker version`'s Server.Os/Server.Arch as a platform (linux/amd64). */
function enginePlatform(text) {
    const [os = 'linux', arch = 'amd64'] = text.trim().split('/');
    const normal = { x86_64: 'amd64', aarch64: 'arm64' };
    return `${os}/${normal[arch] ?? arch}`;
}
/** Whether `platform` (os/arch[/variant]) is `runner`'s platform (a variant on either side is ignored). */
function samePlatform(platform, runner) {
    return platform.split('/').slice(0, 2).join('/') === runner.split('/').slice(0, 2).join('/');
}
/**
 * Whether a build of several platforms can be loaded whole into the engine's image store: only
 * the docker driver on an engine with the containerd image store (Docker 29's default), which
 * keeps the index; the classic store holds one platform, other drivers load through a tarball of one.
 */
function loadsEveryPlatform(builder, classicStore) {
    return builder.driver === 'docker' && !classicStore;
}
/** One line saying which builder builds what and where the result goes. */
function describeBuildx(request, check) {
    const platforms = request.platforms.length > 0 ? request.platforms.join(', ') : check.runnerPlatform;
    const where = request.push
        ? 'pushed from the builder'
        : request.platforms.length <= 1
            ? 'loaded into the engine'
            : loadsEveryPlatform(check.builder, check.classicStore)
                ? "loaded into the engine's containerd image store as one index"
                : `kept in the builder; ${check.runnerPlatform} (this runner's platform) loaded into the engine when built`;
    return `Builder ${check.builder.name || 'default'} (${check.builder.driver} driver) builds ${platforms}, ${where}`;
}

;// CONCATENATED MODULE: ./src/build-and-tag/buildx-build.ts
/**
 * A build through `docker buildx build`: the builder checked before anything runs, then the build
 * pushed from the builder or loaded into the engine's image store, and the result read from
 * buildx's --metadata-file. A multi-platform result cannot enter the classic image store, so when
 * it is not pushed it stays in the builder and this runner's own platform is loaded (from the
 * builder's cache) for test-in-container.
 */








/** The environment buildx's type=gha cache reads (set by the runner for JavaScript actions). */
const GHA_CACHE_ENV = ['ACTIONS_CACHE_URL', 'ACTIONS_RUNTIME_TOKEN'];
/** An InputError when a type=gha cache is asked for outside a GitHub Actions job that provides its URL and token. */
function ghaCacheProblem(request, env) {
    const gha = (entries) => entries.find((e) => e.type === 'gha');
    for (const [input, entries] of [
        ['cache-from', request.cacheFrom],
        ['cache-to', request.cacheTo],
    ]) {
        const entry = gha(entries);
        if (!entry)
            continue;
        const has = (attr) => entry.attrs.some(([k]) => k === attr);
        const missing = GHA_CACHE_ENV.filter((name) => !env[name] && !(name === 'ACTIONS_CACHE_URL' ? has('url') || env.ACTIONS_RESULTS_URL : has('token')));
        if (missing.length > 0)
            return new InputError(input, `type=gha needs the Actions cache service (${missing.join(', ')} not set): it works in a GitHub Actions job; elsewhere use type=registry or type=local`);
    }
    return undefined;
}
/**
 * Which builder the build runs on and whether it can do what is asked: an InputError naming the
 * input the builder cannot honour (two platforms or a cache export on the docker driver with the
 * classic image store), before anything is built.
 */
async function checkBuilder(runner, target, request) {
    // The engine's platform matters only to pick what to load from an unpushed multi-platform
    // build; asked for alongside the builder, not after it (each docker call costs ~0.1 s).
    const needPlatform = request.platforms.length > 1 && !request.push;
    // A builder whose instance file names a driver that can do everything asked (remote,
    // docker-container…) needs no `docker buildx inspect` (two programs and a connection to its
    // BuildKit, before every build): a builder that is down fails the build itself, in buildx's words.
    const known = knownBuilder(request.builder ?? process.env.BUILDX_BUILDER, target.env);
    const [inspected, platform] = await Promise.all([
        known ? undefined : runner.run(buildxInspect(target, request.builder)),
        needPlatform ? runner.run(serverPlatform(target)) : undefined,
    ]);
    let builder;
    let classicStore = false;
    if (known)
        builder = known;
    else {
        const result = inspected;
        if (result.exitCode !== 0) {
            const detail = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
            if (/not a docker command|unknown command|buildx/i.test(detail) && !/builder|instance/i.test(detail))
                throw new Error(`${target.docker} has no buildx plugin, which platforms, builder, cache-to, push, provenance, sbom and annotations need: install docker-buildx (docker/setup-buildx-action on GitHub) (${detail})`);
            throw new InputError(request.builder ? 'builder' : 'platforms', `${request.builder ? `no usable builder ${JSON.stringify(request.builder)}` : 'no usable buildx builder'} (docker buildx ls lists them): ${detail}`);
        }
        builder = parseBuilderInspect(result.stdout);
        if (builder.driver === 'docker') {
            const status = await runChecked(runner, storageDriverStatus(target));
            classicStore = !containerdStore(status.stdout);
        }
    }
    const refusal = builderRefusal(builder, classicStore, request);
    if (refusal)
        throw refusal;
    if (platform && platform.exitCode !== 0)
        throw new Error(`docker version: ${platform.stderr.trim()}`);
    // Without asking the engine: this machine's platform (used in messages only).
    const own = `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`;
    return { builder, classicStore, runnerPlatform: platform ? enginePlatform(platform.stdout) : own };
}
/** The builder `name` from its buildx instance file, when that says enough to skip inspecting it. */
function knownBuilder(name, targetEnv) {
    if (!name)
        return undefined;
    const path = builderInstancePath(name, { ...process.env, ...targetEnv }, (0,external_node_os_namespaceObject.homedir)());
    if (!path)
        return undefined;
    try {
        return builderFromInstance((0,external_node_fs_namespaceObject.readFileSync)(path, 'utf8'), name);
    }
    catch {
        return undefined;
    }
}
function parseMetadata(text) {
    const json = JSON.parse(text || '{}');
    const digest = json['containerimage.digest'];
    const config = json['containerimage.config.digest'];
    return {
        ...(typeof digest === 'string' && { digest }),
        ...(typeof config === 'string' && { configDigest: config }),
    };
}
/**
 * The one or two buildx builds a request makes: pushed from the builder when push is set, else
 * loaded; a multi-platform result the classic store cannot hold stays in the builder and the
 * runner's platform is loaded by a second build (all cache hits).
 */
function buildxSteps(request, common, check, files, 
/** Load every platform of an unpushed multi-platform build the engine cannot hold whole. */
loadEvery = false) {
    const multi = request.platforms.length > 1;
    const canLoadAll = !multi || loadsEveryPlatform(check.builder, check.classicStore);
    const output = request.push ? 'push' : canLoadAll ? 'load' : 'none';
    const main = {
        ...common,
        ...(request.builder && { builder: request.builder }),
        platforms: request.platforms,
        cacheFrom: request.cacheFrom.map(formatCacheEntry),
        cacheTo: request.cacheTo.map(formatCacheEntry),
        annotations: request.annotations,
        ...(request.provenance !== undefined && { provenance: request.provenance }),
        ...(request.sbom !== undefined && { sbom: request.sbom }),
        output,
        ...(output === 'push' && request.pushByDigest && { pushByDigest: true }),
        metadataFile: files.metadata,
        ...(output === 'load' && { iidFile: files.iid }),
    };
    const ownPlatform = request.platforms.find((p) => samePlatform(p, check.runnerPlatform));
    if (output === 'load') {
        const loaded = multi ? (ownPlatform ?? request.platforms[0]) : request.platforms[0];
        return { main, loadedPlatform: loaded ?? check.runnerPlatform };
    }
    if (output === 'push')
        return { main };
    const loadOf = (platform, tags, metadataFile, iidFile) => ({
        ...common,
        tags,
        ...(request.builder && { builder: request.builder }),
        platforms: [platform],
        cacheFrom: [],
        cacheTo: [],
        annotations: [],
        provenance: 'false',
        sbom: 'false',
        output: 'load',
        pull: false,
        noCache: false,
        metadataFile,
        iidFile,
    });
    const others = loadEvery
        ? request.platforms
            .filter((p) => p !== ownPlatform)
            .map((platform) => {
            const slug = platform.replace(/\//g, '-');
            return {
                platform,
                spec: loadOf(platform, [], `${files.loadMetadata}.${slug}`, `${files.iid}.${slug}`),
            };
        })
        : [];
    const runner = ownPlatform;
    if (!runner)
        return { main, ...(others.length > 0 && { others }) };
    const load = loadOf(runner, common.tags, files.loadMetadata, files.iid);
    return { main, load, loadedPlatform: runner, ...(others.length > 0 && { others }) };
}
async function runBuildx(runner, target, steps, onOutput) {
    const started = performance.now();
    const output = onOutput && { onOutput: (chunk) => onOutput(chunk) };
    await runChecked(runner, buildxBuild(target, steps.main), output);
    const metadata = parseMetadata((0,external_node_fs_namespaceObject.readFileSync)(steps.main.metadataFile, 'utf8'));
    if (steps.load)
        await runChecked(runner, buildxBuild(target, steps.load), output);
    const others = [];
    for (const other of steps.others ?? []) {
        await runChecked(runner, buildxBuild(target, other.spec), output);
        others.push({
            platform: other.platform,
            imageId: (0,external_node_fs_namespaceObject.readFileSync)(other.spec.iidFile, 'utf8').trim(),
        });
    }
    const iid = steps.main.iidFile ?? steps.load?.iidFile;
    const loaded = iid && steps.loadedPlatform ? (0,external_node_fs_namespaceObject.readFileSync)(iid, 'utf8').trim() : undefined;
    const platformImages = [
        ...(loaded && steps.loadedPlatform ? [{ platform: steps.loadedPlatform, imageId: loaded }] : []),
        ...others,
    ];
    return {
        ...(metadata.digest && steps.main.output === 'push' && { digest: metadata.digest }),
        ...((loaded || metadata.configDigest) && { imageId: (loaded || metadata.configDigest) }),
        ...(steps.loadedPlatform && { loadedPlatform: steps.loadedPlatform }),
        ...(steps.others && { platformImages }),
        durationMs: performance.now() - started,
    };
}
/** The files a buildx build writes its results to, in `dir`. */
function buildxFiles(dir) {
    return {
        metadata: (0,external_node_path_namespaceObject.join)(dir, 'metadata.json'),
        loadMetadata: (0,external_node_path_namespaceObject.join)(dir, 'load-metadata.json'),
        iid: (0,external_node_path_namespaceObject.join)(dir, 'iid'),
    };
}

;// CONCATENATED MODULE: ./src/build-and-tag/dockerfile.ts
/**
 * Reading a Dockerfile's FROM lines: the external base images of a build (stage names and
 * `scratch` excluded), with ARG values substituted from build args and global ARG defaults.
 */
/** Joins continuation lines and drops comments, keeping instruction order. */
function instructions(text) {
    const out = [];
    let current = '';
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (current === '' && (line.startsWith('#') || line === ''))
            continue;
        if (line.endsWith('\\')) {
            current += `${line.slice(0, -1)} `;
            continue;
        }
        out.push(`${current}${line}`.trim());
        current = '';
    }
    if (current.trim() !== '')
        out.push(current.trim());
    return out;
}
function substitute(text, vars) {
    return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced, fallback, bare) => {
        const name = (braced ?? bare);
        const value = vars.get(name);
        return value !== undefined && value !== '' ? value : (fallback ?? '');
    });
}
function baseImages(dockerfile, buildArgs = []) {
    const given = new Map(buildArgs);
    const globals = new Map();
    const stages = new Set();
    const bases = [];
    let seenFrom = false;
    for (const instruction of instructions(dockerfile)) {
        const [keyword = '', ...rest] = instruction.split(/\s+/);
        const upper = keyword.toUpperCase();
        if (upper === 'ARG' && !seenFrom) {
            for (const decl of rest) {
                const eq = decl.indexOf('=');
                const name = eq >= 0 ? decl.slice(0, eq) : decl;
                const fallback = eq >= 0 ? decl.slice(eq + 1).replace(/^["']|["']$/g, '') : undefined;
                const value = given.get(name) ?? fallback;
                if (value !== undefined)
                    globals.set(name, value);
            }
        }
        if (upper !== 'FROM')
            continue;
        seenFrom = true;
        const words = rest.filter((w) => !w.startsWith('--'));
        const image = substitute(words[0] ?? '', globals);
        const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
        const stage = asIndex >= 0 ? words[asIndex + 1]?.toLowerCase() : undefined;
        if (image !== '' && image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase())) {
            if (!bases.some((b) => b.reference === image))
                bases.push({ reference: image, ...(stage && { stage }) });
        }
        if (stage)
            stages.add(stage);
    }
    return bases;
}

;// CONCATENATED MODULE: ./src/github/context.ts
/**
 * The GitHub context the actions need, read from the runner's environment and event payload
 * (a plain object, so tag rules and labels are pure functions of it).
 */

function readGitContext(env = process.env, now = new Date()) {
    let payload = {};
    const eventPath = env.GITHUB_EVENT_PATH;
    if (eventPath && (0,external_node_fs_namespaceObject.existsSync)(eventPath)) {
        try {
            payload = JSON.parse((0,external_node_fs_namespaceObject.readFileSync)(eventPath, 'utf8'));
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

;// CONCATENATED MODULE: ./src/build-and-tag/tags.ts
/**
 * The tag plan of a build, a pure function of the GitContext: every tag with where it came from.
 * - the version YYYYMMDD-<run> (off CI YYYYMMDD-<sha7>), with an optional prefix: names this build
 *   for good (immutable);
 * - sha-<7> of the commit that was built (GITHUB_SHA: a pull request's merge commit);
 * - latest for the default branch (a scheduled run runs on it), the sanitised branch name on other
 *   branches (a branch named `latest` gets `branch-latest`), pr-<N> for pull requests;
 * - a vX.Y.Z git tag: X.Y.Z (immutable), X.Y and X (release lines: they only ever move forward);
 *   a pre-release gets only its full version; another git tag its sanitised name;
 * - user templates.
 * Immutability follows from where a tag came from, never from what its name looks like: a branch
 * called 20240115-hotfix or 1.2.3 moves like any branch.
 */


const PLACEHOLDERS = [
    'date',
    'run',
    'sha',
    'sha7',
    'head_sha',
    'head_sha7',
    'branch',
    'version',
];
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;
/** The label an image records its build's version in (what push-registry keeps from moving). */
const VERSION_LABEL = 'dev.slipway.version';
/** Does a tag of this source name one build for good? */
const isImmutableSource = (source) => source === 'version' || source === 'release';
/** The length of the hash a cut tag ends with. */
const CUT_HASH_LENGTH = 8;
function shortHash(text) {
    return (0,external_node_crypto_namespaceObject.createHash)('sha256').update(text).digest('hex').slice(0, CUT_HASH_LENGTH);
}
/** Replaces characters a Docker tag cannot hold with '-' and drops a leading '.' or '-'. */
function tagCharacters(text) {
    return text.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
}
/**
 * Makes `text` fit in `room` characters and stay unique: a longer text keeps its start and ends
 * with '-' and a hash of the whole, so two long names with a shared start never collide.
 */
function cutToFit(text, room) {
    if (text.length <= room)
        return text;
    const keep = Math.max(0, room - CUT_HASH_LENGTH - 1);
    return `${text.slice(0, keep)}-${shortHash(text)}`.slice(-room);
}
/** Makes any text a valid Docker tag: invalid characters become '-', no leading '.' or '-', ≤ 128 (a longer one is cut, keeping it unique). */
function sanitizeTag(text) {
    return cutToFit(tagCharacters(text), MAX_TAG_LENGTH);
}
/** UTC date as YYYYMMDD. */
function utcDate(date) {
    return date.toISOString().slice(0, 10).replaceAll('-', '');
}
/** A version prefix: tag characters, starting with a letter or digit, short enough to leave room. */
const VERSION_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$/;
function isValidVersionPrefix(prefix) {
    return VERSION_PREFIX.test(prefix);
}
/**
 * The immutable version tag of a build: [prefix]YYYYMMDD-<run number> on CI. Without a build number
 * (a laptop) YYYYMMDD-<sha7>, with -dirty-<7 hex> (a hash of the uncommitted changes) when the work
 * tree has any, so different content never gets the same version; outside a repository, the time
 * of day. The prefix keeps the versions of two workflows of one repository apart (their run
 * numbers are counted separately).
 */
function versionTag(ctx, prefix = '') {
    const date = utcDate(ctx.now);
    if (ctx.runNumber > 0)
        return `${prefix}${date}-${ctx.runNumber}`;
    if (ctx.sha)
        return `${prefix}${date}-${ctx.sha.slice(0, 7)}${ctx.localChanges ? `-dirty-${ctx.localChanges.slice(0, 7)}` : ''}`;
    return `${prefix}${date}-t${ctx.now.toISOString().slice(11, 23).replace(/[:.]/g, '')}`;
}
/** The version a rerun gets when its rebuild is another image than the one its first attempt pushed. */
function rerunVersion(version, attempt) {
    return `${version}.${attempt}`;
}
function branchName(ctx) {
    if (ctx.pullRequest !== undefined && ctx.headRef)
        return ctx.headRef;
    return ctx.ref.startsWith('refs/heads/') ? ctx.ref.slice('refs/heads/'.length) : undefined;
}
function gitTagName(ctx) {
    return ctx.ref.startsWith('refs/tags/') ? ctx.ref.slice('refs/tags/'.length) : undefined;
}
/**
 * Is this run on the repository's default branch? A scheduled run always is (GitHub runs it on the
 * default branch, and its payload does not name the repository's default branch).
 */
function onDefaultBranch(ctx) {
    const branch = ctx.pullRequest === undefined ? branchName(ctx) : undefined;
    if (branch === undefined)
        return false;
    if (ctx.defaultBranch !== undefined)
        return branch === ctx.defaultBranch;
    return ctx.eventName === 'schedule';
}
function parseSemver(text) {
    const m = SEMVER.exec(text);
    if (!m)
        return undefined;
    return {
        major: m[1],
        minor: m[2],
        patch: m[3],
        ...(m[4] !== undefined && { prerelease: m[4] }),
    };
}
function formatSemver(v) {
    return `${v.major}.${v.minor}.${v.patch}${v.prerelease !== undefined ? `-${v.prerelease}` : ''}`;
}
/** Semantic version precedence (semver.org §11): negative when a < b. */
function compareSemver(a, b) {
    for (const k of ['major', 'minor', 'patch']) {
        const d = Number(a[k]) - Number(b[k]);
        if (d !== 0)
            return Math.sign(d);
    }
    if (a.prerelease === b.prerelease)
        return 0;
    if (a.prerelease === undefined)
        return 1;
    if (b.prerelease === undefined)
        return -1;
    const pa = a.prerelease.split('.');
    const pb = b.prerelease.split('.');
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const x = pa[i];
        const y = pb[i];
        if (x === undefined)
            return -1;
        if (y === undefined)
            return 1;
        if (x === y)
            continue;
        const nx = /^\d+$/.test(x);
        const ny = /^\d+$/.test(y);
        if (nx && ny)
            return Math.sign(Number(x) - Number(y));
        if (nx)
            return -1;
        if (ny)
            return 1;
        return x < y ? -1 : 1;
    }
    return 0;
}
/** The release a semver git tag names (vX.Y.Z[-pre]), or undefined. */
function releaseOf(ctx) {
    const tag = gitTagName(ctx);
    return tag === undefined ? undefined : parseSemver(tag);
}
/** The release lines of a release (X.Y and X), which move forward only; none for a pre-release. */
function releaseLines(release) {
    return release.prerelease === undefined ? [`${release.major}.${release.minor}`, release.major] : [];
}
/** A ref's name as a tag: never `latest`, which only the default branch gets. */
function refTag(name, kind) {
    const tag = sanitizeTag(name);
    return tag === 'latest' ? `${kind}-latest` : tag;
}
/** The default tags of a build with where each came from, most specific first (the version first). */
function defaultTagPlan(ctx, versionPrefix = '') {
    const tags = [{ tag: versionTag(ctx, versionPrefix), source: 'version' }];
    if (ctx.sha)
        tags.push({ tag: `sha-${ctx.sha.slice(0, 7)}`, source: 'commit' });
    const gitTag = gitTagName(ctx);
    if (ctx.pullRequest !== undefined) {
        tags.push({ tag: `pr-${ctx.pullRequest}`, source: 'pull-request' });
    }
    else if (gitTag !== undefined) {
        const release = parseSemver(gitTag);
        if (release) {
            tags.push({ tag: sanitizeTag(formatSemver(release)), source: 'release' });
            for (const line of releaseLines(release))
                tags.push({ tag: line, source: 'release-line' });
        }
        else {
            tags.push({ tag: refTag(gitTag, 'tag'), source: 'git-tag' });
        }
    }
    else {
        const branch = branchName(ctx);
        if (onDefaultBranch(ctx))
            tags.push({ tag: 'latest', source: 'latest' });
        else if (branch !== undefined)
            tags.push({ tag: refTag(branch, 'branch'), source: 'branch' });
    }
    return uniqueTags(tags.filter((t) => t.tag !== ''));
}
/** The default tags of a build, most specific first. */
function defaultTags(ctx, versionPrefix = '') {
    return defaultTagPlan(ctx, versionPrefix).map((t) => t.tag);
}
/**
 * Expands a tag template such as "{branch}-{sha7}"; unknown placeholders are errors. A result over
 * 128 characters is cut in its {branch} part (the only unbounded one), which keeps its start and
 * gets a hash of the whole branch name: the template's other parts, its distinguishing tail
 * included, stay. `{branch}` alone on a branch named `latest` gives `branch-latest`.
 */
function expandTemplate(template, ctx, versionPrefix = '') {
    const branch = tagCharacters(branchName(ctx) ?? gitTagName(ctx) ?? '');
    const values = {
        date: utcDate(ctx.now),
        run: String(ctx.runNumber),
        sha: ctx.sha,
        sha7: ctx.sha.slice(0, 7),
        head_sha: ctx.headSha ?? ctx.sha,
        head_sha7: (ctx.headSha ?? ctx.sha).slice(0, 7),
        branch,
        version: versionTag(ctx, versionPrefix),
    };
    const parts = template.split(/(\{[^}]*\})/);
    for (const part of parts) {
        const name = /^\{([^}]*)\}$/.exec(part)?.[1];
        if (name !== undefined && !PLACEHOLDERS.includes(name))
            throw new Error(`unknown placeholder {${name}} in ${JSON.stringify(template)} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
    }
    const render = (branchValue) => parts
        .map((part) => {
        if (part === '{branch}')
            return branchValue;
        return /^\{[^}]*\}$/.test(part) ? values[part.slice(1, -1)] : part;
    })
        .join('');
    let expanded = tagCharacters(render(branch));
    if (expanded.length > MAX_TAG_LENGTH && template.includes('{branch}')) {
        const uses = parts.filter((p) => p === '{branch}').length;
        const fixed = expanded.length - uses * branch.length;
        const room = Math.floor((MAX_TAG_LENGTH - fixed) / uses);
        if (room > CUT_HASH_LENGTH)
            expanded = tagCharacters(render(cutToFit(branch, room)));
    }
    const tag = cutToFit(expanded, MAX_TAG_LENGTH);
    if (tag === '')
        throw new Error(`the template ${JSON.stringify(template)} expands to an empty tag`);
    if (tag === 'latest' && template !== 'latest' && !onDefaultBranch(ctx))
        return 'branch-latest';
    return tag;
}
function unique(items) {
    return [...new Set(items)];
}
/** The first of each tag (a default tag wins over a template giving the same name). */
function uniqueTags(tags) {
    const seen = new Set();
    return tags.filter((t) => !seen.has(t.tag) && seen.add(t.tag));
}

;// CONCATENATED MODULE: ./src/build-and-tag/plan.ts
/**
 * What build-and-tag will do, decided before anything runs: validated inputs, the tags of every
 * repository, and the OCI labels. Pure: unit-tested from a GitContext.
 */






const BUILDER = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ATTESTATION = /^[A-Za-z0-9=,._:/@-]+$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const STAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The build context: the last (positional) argument of docker build, a directory that exists. */
function readContext(inputs) {
    const context = inputs.operand('context', '.');
    let directory = false;
    try {
        directory = (0,external_node_fs_namespaceObject.statSync)(context).isDirectory();
    }
    catch {
        // missing: said below
    }
    if (!directory)
        throw new InputError('context', `${JSON.stringify(context)} is not a directory (from ${process.cwd()})`);
    return context;
}
function readVersionPrefix(inputs) {
    const prefix = inputs.line('version-prefix');
    if (prefix && !isValidVersionPrefix(prefix))
        throw new InputError('version-prefix', `${JSON.stringify(prefix)} is not a tag prefix (letters, digits, _ . -, starting with a letter or digit, at most 48)`);
    return prefix;
}
function readBuildRequest(inputs) {
    const repositories = inputs.parsedList('image', (v) => reference_parseReference(v, { lowercase: true, repositoryOnly: true }), {
        required: true,
    });
    const target = inputs.line('target');
    if (target && !STAGE.test(target))
        throw new InputError('target', `${JSON.stringify(target)} is not a stage name`);
    const secrets = inputs.list('secrets').map((line) => {
        const eq = line.indexOf('=');
        const id = eq > 0 ? line.slice(0, eq).trim() : '';
        if (!SECRET_ID.test(id))
            throw new InputError('secrets', 'each line must be id=VALUE with an id of letters, digits, . _ -');
        return [id, line.slice(eq + 1)];
    });
    const labels = inputs.list('labels').map((line) => {
        const eq = line.indexOf('=');
        if (eq <= 0)
            throw new InputError('labels', `each line must be KEY=VALUE, got ${JSON.stringify(line)}`);
        return [line.slice(0, eq).trim(), line.slice(eq + 1)];
    });
    const file = inputs.line('file');
    const buildx = readBuildxRequest(inputs);
    const cacheFrom = buildx
        ? buildx.cacheFrom.map(formatCacheEntry)
        : inputs.parsedList('cache-from', (v) => formatReference(reference_parseReference(v)));
    return {
        repositories,
        context: readContext(inputs),
        ...(file && { file }),
        ...(target && { target }),
        buildArgs: inputs.keyValues('build-args'),
        labels,
        secrets,
        cacheFrom,
        ...(buildx && { buildx }),
        tagTemplates: inputs.list('tags'),
        versionPrefix: readVersionPrefix(inputs),
        pull: inputs.boolean('pull', false),
        noCache: inputs.boolean('no-cache', false),
    };
}
/**
 * The buildx options, or undefined when none is given and no cache-from line is in buildx's
 * `type=` syntax: a plain build then stays the classic `docker build`, which needs no buildx.
 */
function readBuildxRequest(inputs) {
    const platforms = parsePlatforms(inputs.string('platforms'));
    const builder = inputs.line('builder');
    if (builder && !BUILDER.test(builder))
        throw new InputError('builder', `${JSON.stringify(builder)} is not a builder name (docker buildx ls)`);
    const cacheFromLines = inputs.list('cache-from');
    const cacheFrom = cacheFromLines.map((line) => parseCacheEntry('cache-from', line));
    const cacheTo = inputs.list('cache-to').map((line) => parseCacheEntry('cache-to', line));
    const push = inputs.boolean('push', false);
    const pushByDigest = inputs.boolean('push-by-digest', false);
    if (pushByDigest && !push)
        throw new InputError('push-by-digest', 'needs push: true (it says how the image is pushed: by digest, no tag)');
    const attestation = (name) => {
        const value = inputs.line(name);
        if (value && !ATTESTATION.test(value))
            throw new InputError(name, `${JSON.stringify(value)} is not true, false or buildx attributes (mode=max, generator=IMAGE…)`);
        return value || undefined;
    };
    const provenance = attestation('provenance');
    const sbom = attestation('sbom');
    const annotations = inputs.list('annotations').map(parseAnnotation);
    const wanted = platforms.length > 0 ||
        builder ||
        cacheTo.length > 0 ||
        push ||
        provenance !== undefined ||
        sbom !== undefined ||
        annotations.length > 0 ||
        cacheFromLines.some((line) => line.includes('='));
    if (!wanted)
        return undefined;
    return {
        ...(builder && { builder }),
        platforms,
        cacheFrom,
        cacheTo,
        push,
        ...(pushByDigest && { pushByDigest }),
        ...(provenance !== undefined && { provenance }),
        ...(sbom !== undefined && { sbom }),
        annotations,
    };
}
/**
 * The image's labels: `created` is the commit's time when known (an unchanged rebuild gives the
 * same labels, so it can give the same image), `version` the release on a semver git tag (else
 * the build's version), and the build's version again in dev.slipway.version.
 */
function ociLabels(ctx, version, repository, created = ctx.now) {
    const source = ctx.repository ? `${ctx.serverUrl}/${ctx.repository}` : '';
    const release = releaseOf(ctx);
    const labels = [
        ['org.opencontainers.image.created', created.toISOString()],
        ['org.opencontainers.image.version', release ? formatSemver(release) : version],
        [
            'org.opencontainers.image.title',
            (ctx.repository.split('/')[1] ?? repository.repository.split('/').pop()) || '',
        ],
    ];
    if (ctx.description)
        labels.push(['org.opencontainers.image.description', ctx.description]);
    if (ctx.license)
        labels.push(['org.opencontainers.image.licenses', ctx.license]);
    if (ctx.sha)
        labels.push(['org.opencontainers.image.revision', ctx.sha]);
    if (source)
        labels.push(['org.opencontainers.image.source', source], ['org.opencontainers.image.url', source]);
    labels.push([VERSION_LABEL, version]);
    const run = runUrl(ctx);
    if (run)
        labels.push(['dev.slipway.run', run]);
    return labels;
}
function planBuild(request, ctx, committed) {
    const version = versionTag(ctx, request.versionPrefix);
    const extra = request.tagTemplates.map((t) => {
        try {
            return { tag: expandTemplate(t, ctx, request.versionPrefix), source: 'template' };
        }
        catch (error) {
            throw new InputError('tags', error.message);
        }
    });
    const tagPlan = uniqueTags([...defaultTagPlan(ctx, request.versionPrefix), ...extra]);
    const tags = tagPlan.map((t) => t.tag);
    const references = request.repositories.flatMap((repo) => tags.map((t) => formatReference(withTag(repo, t))));
    const computed = ociLabels(ctx, version, request.repositories[0], committed);
    const overridden = new Set(request.labels.map(([k]) => k));
    const labels = [...computed.filter(([k]) => !overridden.has(k)), ...request.labels];
    return {
        version,
        tags,
        tagPlan,
        immutableTags: tagPlan.filter((t) => isImmutableSource(t.source)).map((t) => t.tag),
        references,
        labels,
        ...(committed && { sourceDateEpoch: Math.floor(committed.getTime() / 1000) }),
    };
}
/**
 * The build args of a build: the user's, and SOURCE_DATE_EPOCH (the commit's time) unless the user
 * set it: BuildKit then stamps the image's times with it, so an unchanged rebuild can be the same image.
 */
function buildArgsOf(request, plan) {
    if (plan.sourceDateEpoch === undefined || request.buildArgs.some(([k]) => k === 'SOURCE_DATE_EPOCH'))
        return request.buildArgs;
    return [...request.buildArgs, ['SOURCE_DATE_EPOCH', String(plan.sourceDateEpoch)]];
}

;// CONCATENATED MODULE: ./src/build-and-tag/build.ts
/** Running a build: BuildKit through the docker CLI, then what the image turned out to be. */











async function build_inspectImage(runner, target, ref) {
    const result = await runChecked(runner, inspectImage(target, ref));
    return JSON.parse(result.stdout);
}
/** A FROM reference's digest: from its registry, else the local image's repo digest. */
async function resolveBase(runner, target, reference) {
    try {
        // One attempt: the build itself has just resolved this base, so a registry that does not
        // answer now is a local-only image or an unreachable one, and the engine is asked instead.
        const digest = await resolveDigest(reference_parseReference(reference), {
            retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 },
        });
        if (digest)
            return { reference, digest, source: 'registry' };
    }
    catch {
        // not reachable as a registry image (a local-only image, or no credentials): try the engine
    }
    try {
        const image = await build_inspectImage(runner, target, reference);
        const name = repositoryName(reference_parseReference(reference));
        const repoDigest = image.RepoDigests?.find((d) => repositoryName(reference_parseReference(d)) === name);
        if (repoDigest)
            return { reference, digest: repoDigest.split('@')[1] ?? null, source: 'local' };
    }
    catch {
        // unknown to the engine as well
    }
    return { reference, digest: null, source: 'unresolved' };
}
/** The loaded image's own platform (its config says), else what was asked for. */
function loadedPlatformOf(image, asked) {
    if (!image.Os || !image.Architecture)
        return asked;
    return [image.Os, image.Architecture, image.Variant].filter(Boolean).join('/');
}
/** The label that records every base an image was built from: `ref@digest`, space-separated. */
const BASE_IMAGES_LABEL = 'dev.slipway.base-images';
function baseLabels(bases) {
    const known = bases.filter((b) => b.digest);
    return known.length === 0
        ? []
        : [[BASE_IMAGES_LABEL, known.map((b) => `${b.reference}@${b.digest}`).join(' ')]];
}
/** The bases a BASE_IMAGES_LABEL records. */
function parseBaseLabel(value) {
    return (value ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((item) => {
        const at = item.lastIndexOf('@');
        return { reference: item.slice(0, at), digest: item.slice(at + 1) };
    })
        .filter((b) => b.reference && b.digest.startsWith('sha256:'));
}
/** Every FROM base of the request's Dockerfile with the digest it resolves to now (reads only). */
async function resolveBases(runner, target, request) {
    const dockerfile = request.file ?? (0,external_node_path_namespaceObject.join)(request.context, 'Dockerfile');
    const bases = (0,external_node_fs_namespaceObject.existsSync)(dockerfile) ? baseImages((0,external_node_fs_namespaceObject.readFileSync)(dockerfile, 'utf8'), request.buildArgs) : [];
    return Promise.all(bases.map((b) => resolveBase(runner, target, b.reference)));
}
async function buildImage(runner, target, request, plan, onOutput, builder, 
/** The bases, when resolveBases was started earlier (it only reads registries). */
bases, 
/** Load every platform of an unpushed multi-platform build (for testing each). */
loadEvery = false) {
    const temp = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)(process.env.RUNNER_TEMP ?? (0,external_node_os_namespaceObject.tmpdir)(), 'slipway-build-'));
    const iidFile = (0,external_node_path_namespaceObject.join)(temp, 'iid');
    try {
        // The bases are resolved first and recorded in a label, so a later check can tell whether
        // they moved since this build (rebuild-on-base-change) from the image alone.
        const resolved = await (bases ?? resolveBases(runner, target, request));
        const labels = [...plan.labels, ...baseLabels(resolved)];
        if (request.buildx) {
            if (!builder)
                throw new Error('a buildx build needs its builder checked first (checkBuilder)');
            const steps = buildxSteps(request.buildx, {
                context: request.context,
                ...(request.file && { file: request.file }),
                ...(request.target && { target: request.target }),
                tags: plan.references,
                buildArgs: buildArgsOf(request, plan),
                labels,
                secrets: request.secrets,
                pull: request.pull,
                noCache: request.noCache,
            }, builder, buildxFiles(temp), loadEvery);
            const built = await runBuildx(runner, target, steps, onOutput);
            const loaded = built.loadedPlatform && built.imageId ? await build_inspectImage(runner, target, built.imageId) : undefined;
            return {
                imageId: built.imageId ?? '',
                ...(built.digest && { digest: built.digest }),
                ...(loaded && { loadedPlatform: loadedPlatformOf(loaded, built.loadedPlatform) }),
                ...(built.platformImages && { platformImages: built.platformImages }),
                sizeBytes: loaded?.Size ?? 0,
                layers: loaded?.RootFS?.Layers?.length ?? 0,
                durationMs: built.durationMs,
                baseImages: resolved,
            };
        }
        const started = performance.now();
        await runChecked(runner, build(target, {
            context: request.context,
            ...(request.file && { file: request.file }),
            ...(request.target && { target: request.target }),
            tags: plan.references,
            buildArgs: buildArgsOf(request, plan),
            labels,
            secrets: request.secrets,
            cacheFrom: request.cacheFrom,
            pull: request.pull,
            noCache: request.noCache,
            iidFile,
        }), onOutput && { onOutput: (chunk) => onOutput(chunk) }).catch((error) => {
            if (/buildx component is missing|requires buildx/i.test(error.message)) {
                throw new Error(`${error.message}\nThis docker client has no BuildKit (buildx). Install buildx, or point SLIPWAY_DOCKER at a client that has it (e.g. /usr/bin/docker).`);
            }
            throw error;
        });
        const durationMs = performance.now() - started;
        const imageId = (0,external_node_fs_namespaceObject.readFileSync)(iidFile, 'utf8').trim();
        const image = await build_inspectImage(runner, target, imageId);
        return {
            imageId,
            sizeBytes: image.Size,
            layers: image.RootFS?.Layers?.length ?? 0,
            durationMs,
            baseImages: resolved,
        };
    }
    finally {
        (0,external_node_fs_namespaceObject.rmSync)(temp, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./src/docker/buildx-plugin.ts
/**
 * The buildx program the docker CLI would run for `docker buildx …`, found the way the CLI finds
 * its plugins, so it can be run standalone (`docker-buildx build …`, a mode buildx supports, as
 * docker's actions-toolkit does with a standalone buildx). That skips the docker CLI's own start
 * and the `docker-cli-plugin-metadata` call it makes before every plugin command: about 55 ms of
 * every buildx command on this machine (bench/build.ts).
 */



/** The docker CLI's system plugin directories on Linux, in its search order. */
const SYSTEM_PLUGIN_DIRS = [
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
];
/** The docker CLI's plugin directories: its config's cliPluginsExtraDirs, <config dir>/cli-plugins, the system ones. */
function pluginDirs(configDir, configText, systemDirs = SYSTEM_PLUGIN_DIRS) {
    let extra = [];
    try {
        const config = JSON.parse(configText ?? '{}');
        if (Array.isArray(config.cliPluginsExtraDirs))
            extra = config.cliPluginsExtraDirs.filter((d) => typeof d === 'string' && d !== '');
    }
    catch {
        // an unreadable config: the CLI would complain; its default directories still apply
    }
    return [...extra, (0,external_node_path_namespaceObject.join)(configDir, 'cli-plugins'), ...systemDirs];
}
/**
 * The buildx program to run standalone, or undefined to go through `docker buildx`.
 * SLIPWAY_BUILDX names it, or `docker` always goes through the docker client (SLIPWAY_DOCKER).
 * Otherwise the first docker-buildx that exists in the CLI's plugin directories, as the CLI takes
 * it; one that is not an executable file is left to the CLI, which says what is wrong with it.
 */
function findBuildxPlugin(env = process.env, home = (0,external_node_os_namespaceObject.homedir)(), systemDirs = SYSTEM_PLUGIN_DIRS) {
    if (env.SLIPWAY_BUILDX)
        return env.SLIPWAY_BUILDX === 'docker' ? undefined : env.SLIPWAY_BUILDX;
    const configDir = env.DOCKER_CONFIG || (0,external_node_path_namespaceObject.join)(home, '.docker');
    let configText;
    try {
        configText = (0,external_node_fs_namespaceObject.readFileSync)((0,external_node_path_namespaceObject.join)(configDir, 'config.json'), 'utf8');
    }
    catch {
        // no config.json
    }
    for (const dir of pluginDirs(configDir, configText, systemDirs)) {
        const path = (0,external_node_path_namespaceObject.join)(dir, 'docker-buildx');
        const stat = (0,external_node_fs_namespaceObject.statSync)(path, { throwIfNoEntry: false });
        if (!stat)
            continue;
        return stat.isFile() && (stat.mode & 0o111) !== 0 ? path : undefined;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/github/git-command.ts
/** Reading a repository with the git program: argv only, no shell; '' (or no bytes) when git fails. */

function gitBytes(args, cwd, timeoutMs) {
    try {
        return (0,external_node_child_process_namespaceObject.execFileSync)('git', args, {
            cwd,
            stdio: ['ignore', 'pipe', 'ignore'],
            maxBuffer: 1 << 30,
            ...(timeoutMs !== undefined && { timeout: timeoutMs }),
        });
    }
    catch {
        return Buffer.alloc(0);
    }
}
function git(args, cwd, timeoutMs) {
    return gitBytes(args, cwd, timeoutMs).toString('utf8').trim();
}

;// CONCATENATED MODULE: ./src/github/commit-time.ts
/**
 * When the built commit was made: the time a reproducible build stamps on its image (the `created`
 * label, BuildKit's SOURCE_DATE_EPOCH), so rebuilding an unchanged commit can give the same image.
 */

/**
 * SOURCE_DATE_EPOCH from the environment (the user's choice), else the built commit's time from
 * git, read in the build context's repository (a checkout made with `path:`) and else in the
 * workspace's; undefined when none of them knows it.
 */
function commitTime(ctx, env = process.env, context = ctx.workspace) {
    const given = env.SOURCE_DATE_EPOCH;
    if (given && /^\d{1,12}$/.test(given))
        return new Date(Number(given) * 1000);
    if (!/^[0-9a-f]{7,64}$/.test(ctx.sha))
        return undefined;
    for (const cwd of new Set([context, ctx.workspace])) {
        const seconds = commitSeconds(ctx.sha, cwd);
        if (seconds !== undefined)
            return new Date(seconds * 1000);
    }
    return undefined;
}
function commitSeconds(sha, cwd) {
    // --no-show-signature: a repository's config never makes this read run a signature program.
    const out = git(['log', '-1', '--no-show-signature', '--format=%ct', sha, '--'], cwd, 10_000);
    return /^\d+$/.test(out) ? Number(out) : undefined;
}

;// CONCATENATED MODULE: ./src/common/summary.ts
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
    (0,external_node_fs_namespaceObject.appendFileSync)(file, `${blocks.join('\n\n')}\n\n`);
}

;// CONCATENATED MODULE: ./src/build-and-tag/operation.ts
/** build-and-tag: plan the references and labels from the git context, build with BuildKit, report. */











/** What each kind of tag promises, for the summary. */
const TAG_MEANING = {
    version: 'this build, for good (never moves)',
    release: 'this release, for good (never moves)',
    'release-line': 'the newest release of its line (moves forward only)',
    commit: 'the latest build of this commit',
    latest: 'the latest build of the default branch',
    branch: 'the latest build of this branch',
    'pull-request': 'the latest build of this pull request',
    'git-tag': 'this git tag',
    template: 'your template (moves)',
};
async function runBuild(inputs, report, git = readGitContext(), 
/** Cancellation: the build command in progress is ended (buildx cancels its build) and awaited. */
signal, 
/** Load every platform of an unpushed multi-platform build into the engine (the root action tests each). */
loadEvery = false) {
    const request = readBuildRequest(inputs);
    for (const [, value] of request.secrets)
        report.mask(value);
    const plan = planBuild(request, git, commitTime(git, process.env, request.context));
    const runner = new LocalRunner(process.env, signal);
    // buildx commands run the plugin standalone when the docker CLI's plugin directories have it.
    const buildx = request.buildx ? findBuildxPlugin() : undefined;
    const target = { docker: dockerBinary(), ...(buildx && { buildx }) };
    let builder;
    // The bases are read from their registries while the builder is checked (reads only).
    const bases = resolveBases(runner, target, request);
    bases.catch(() => undefined);
    if (request.buildx) {
        // Everything the builder cannot do is refused here, before anything is built.
        const gha = ghaCacheProblem(request.buildx, process.env);
        if (gha)
            throw gha;
        if (process.env.ACTIONS_RUNTIME_TOKEN)
            report.mask(process.env.ACTIONS_RUNTIME_TOKEN);
        builder = await checkBuilder(runner, target, request.buildx);
        report.info(describeBuildx(request.buildx, builder));
    }
    report.info(`Building ${request.context} as:\n${plan.references.map((r) => `  ${r}`).join('\n')}`);
    const result = await report.group(request.buildx ? 'docker buildx build' : 'docker build', () => buildImage(runner, target, request, plan, (chunk) => report.stream(chunk), builder, bases, loadEvery));
    const metadata = {
        imageId: result.imageId,
        ...(result.digest && { digest: result.digest }),
        ...(request.buildx?.platforms.length && { platforms: request.buildx.platforms }),
        ...(result.loadedPlatform && { loadedPlatform: result.loadedPlatform }),
        version: plan.version,
        tags: plan.references,
        immutableTags: plan.immutableTags,
        labels: Object.fromEntries(plan.labels),
        sizeBytes: result.sizeBytes,
        layers: result.layers,
        buildMs: Math.round(result.durationMs),
        baseImages: result.baseImages,
    };
    if (!request.buildx || result.loadedPlatform)
        report.info(`Built ${result.imageId}${result.loadedPlatform ? ` for ${result.loadedPlatform}` : ''} (${formatBytes(result.sizeBytes)}, ${result.layers} layers) in ${formatDuration(result.durationMs)}`);
    else
        report.info(`Built in ${formatDuration(result.durationMs)}; nothing loaded into the engine's image store (${request.buildx.push ? 'pushed from the builder' : `no platform of ${request.buildx.platforms.join(', ')} runs here`})`);
    if (result.digest)
        report.info(`Pushed ${result.digest} from the builder`);
    for (const other of result.platformImages ?? [])
        if (other.platform !== result.loadedPlatform)
            report.info(`Loaded ${other.platform} as ${other.imageId} (untagged, for its tests)`);
    return {
        references: plan.references,
        imageId: result.imageId,
        ...(result.platformImages && { platformImages: result.platformImages }),
        outputs: {
            'image-id': result.imageId,
            version: plan.version,
            tags: plan.references.join('\n'),
            'immutable-tags': plan.immutableTags.join('\n'),
            labels: plan.labels.map(([k, v]) => `${k}=${v}`).join('\n'),
            metadata: JSON.stringify(metadata),
            'base-images': JSON.stringify(result.baseImages),
            digest: result.digest ?? '',
        },
        summary: [
            heading(`Built ${plan.version}`),
            table(['Tag', 'What it is'], plan.tagPlan.map((t) => [new Code(t.tag), TAG_MEANING[t.source]])),
            facts([['Repositories', request.repositories.map((r) => formatReference(r)).join('\n')]]),
            facts([
                ['Image id', result.imageId ? new Code(result.imageId) : '—'],
                ...(result.digest ? [['Pushed digest', new Code(result.digest)]] : []),
                ...(request.buildx?.platforms.length
                    ? [['Platforms', request.buildx.platforms.join(', ')]]
                    : []),
                ['Size', formatBytes(result.sizeBytes)],
                ['Layers', result.layers],
                ['Build time', formatDuration(result.durationMs)],
            ]),
            table(['Base image', 'Digest'], result.baseImages.map((b) => [
                new Code(b.reference),
                b.digest ? new Code(b.digest) : `(${b.source})`,
            ])),
        ],
    };
}

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
    process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${external_node_os_namespaceObject.EOL}`);
}
/** `name<<delimiter` … in the runner's file for `kind`; false when the runner gives no such file. */
function fileCommand(kind, name, value) {
    const path = process.env[`GITHUB_${kind}`] || '';
    if (!path)
        return false;
    if (!(0,external_node_fs_namespaceObject.existsSync)(path))
        throw new Error(`Missing file at path: ${path}`);
    const delimiter = `ghadelimiter_${(0,external_node_crypto_namespaceObject.randomUUID)()}`;
    const text = commandValue(value);
    if (name.includes(delimiter))
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    if (text.includes(delimiter))
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    (0,external_node_fs_namespaceObject.appendFileSync)(path, `${name}<<${delimiter}${external_node_os_namespaceObject.EOL}${text}${external_node_os_namespaceObject.EOL}${delimiter}${external_node_os_namespaceObject.EOL}`, { encoding: 'utf8' });
    return true;
}
const annotation = (p) => ({ title: p.title, file: p.file, line: p.startLine });
const info = (message) => void process.stdout.write(message + external_node_os_namespaceObject.EOL);
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
    process.stdout.write(external_node_os_namespaceObject.EOL);
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

;// CONCATENATED MODULE: external "node:v8"
const external_node_v8_namespaceObject = require("node:v8");
;// CONCATENATED MODULE: external "node:vm"
const external_node_vm_namespaceObject = require("node:vm");
;// CONCATENATED MODULE: ./src/common/gc.ts
/**
 * V8's garbage collector for an entry point that streams gigabytes (see src/registry/memory.ts):
 * `--expose-gc` switched on for this process at run time, and `gc` taken from a new context.
 */


/** The collector, or null where V8 refuses. */
function exposeGc() {
    try {
        (0,external_node_v8_namespaceObject.setFlagsFromString)('--expose-gc');
        return (0,external_node_vm_namespaceObject.runInNewContext)('gc');
    }
    catch {
        return null;
    }
}

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
 * The collector is the entry point's to give (`collectWith`, from src/common/gc.ts): a library does
 * not switch on V8 flags for the whole process. Without one this is a no-op.
 */
const EVERY_BYTES = (/* unused pure expression or super */ null && (1024 * 1024));
let obtain;
let collect;
let sinceLast = 0;
/** Lets `streamed` collect, with the collector `source` gives (asked once, when first needed). */
function collectWith(source) {
    obtain = source;
    collect = undefined;
}
function collector() {
    if (collect === undefined)
        collect = obtain?.() ?? null;
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
    writeSummary(outcome.summary);
    if (outcome.error)
        throw new Error(outcome.error);
}
/** Runs the main or the post phase of an action and reports failures as a failed step. */
async function runAction(definition) {
    // Blobs streamed through this process are collected as they go (src/registry/memory.ts).
    collectWith(exposeGc);
    const context = { inputs: new Inputs(envInputReader()), report: actionReporter };
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

;// CONCATENATED MODULE: ./src/actions/build-and-tag.ts


void runAction({
    cancellable: true,
    main: ({ inputs, report, signal }) => runBuild(inputs, report, undefined, signal),
});

module.exports = __webpack_exports__;
/******/ })()
;