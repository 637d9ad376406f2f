"use strict";
exports.id = 120;
exports.ids = [120];
exports.modules = {

/***/ 8120:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  VerificationError: () => (/* reexport */ VerificationError),
  readVerifyPolicy: () => (/* reexport */ inputs_readVerifyPolicy),
  verificationSummary: () => (/* reexport */ verificationSummary),
  verifyPromotion: () => (/* binding */ verifyPromotion)
});

// EXTERNAL MODULE: ./src/common/reference.ts
var reference = __webpack_require__(3160);
// EXTERNAL MODULE: ./src/github/context.ts
var context = __webpack_require__(9556);
// EXTERNAL MODULE: ./src/common/inputs.ts + 1 modules
var common_inputs = __webpack_require__(7594);
// EXTERNAL MODULE: ./src/registry/resolve.ts
var resolve = __webpack_require__(2091);
// EXTERNAL MODULE: ./src/common/summary.ts
var summary = __webpack_require__(7701);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
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
async function command_runChecked(runner, command, options) {
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

// EXTERNAL MODULE: ./src/common/retry.ts
var retry = __webpack_require__(9183);
;// CONCATENATED MODULE: ./src/test-in-container/junit.ts
/**
 * JUnit XML reports: counts and failures (with file and line where the report has them), from a
 * small tolerant XML reader (elements, attributes, text, CDATA, entities) — enough for the
 * reports test runners write, with no dependency.
 */
const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function decode(text) {
    return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity) => {
        if (entity.startsWith('#x'))
            return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
        if (entity.startsWith('#'))
            return String.fromCodePoint(Number(entity.slice(1)));
        return ENTITIES[entity] ?? whole;
    });
}
function parseXml(xml) {
    const root = { name: '#root', attributes: {}, children: [], text: '' };
    const stack = [root];
    const re = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
    for (const m of xml.matchAll(re)) {
        const current = stack[stack.length - 1];
        if (m[1] !== undefined)
            current.text += m[1];
        else if (m[2] !== undefined) {
            if (stack.length > 1)
                stack.pop();
        }
        else if (m[3] !== undefined) {
            const attributes = {};
            for (const a of (m[4] ?? '').matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
                attributes[a[1]] = decode(a[2] ?? a[3] ?? '');
            }
            const element = { name: m[3], attributes, children: [], text: '' };
            current.children.push(element);
            if (m[5] !== '/')
                stack.push(element);
        }
        else if (m[6] !== undefined)
            current.text += decode(m[6]);
    }
    return root;
}
function* walk(element) {
    yield element;
    for (const child of element.children)
        yield* walk(child);
}
/** file:line from a failure's text ("at test/foo.test.ts:12:5", "foo.py:12: AssertionError"). */
function locate(text) {
    const m = /([\w./-]+\.[A-Za-z]{1,5}):(\d+)/.exec(text);
    return m ? { file: m[1], line: Number(m[2]) } : {};
}
function junit_summarizeJUnit(xmls) {
    let tests = 0;
    let failed = 0;
    let skipped = 0;
    const failures = [];
    const passedNames = [];
    for (const xml of xmls) {
        for (const element of walk(parseXml(xml))) {
            if (element.name !== 'testcase')
                continue;
            tests += 1;
            const problem = element.children.find((c) => c.name === 'failure' || c.name === 'error');
            if (problem) {
                failed += 1;
                const details = problem.text.trim();
                const attrs = element.attributes;
                const fromAttrs = attrs.file
                    ? { file: attrs.file, ...(attrs.line && { line: Number(attrs.line) }) }
                    : {};
                const location = { ...locate(details), ...fromAttrs };
                failures.push({
                    name: attrs.name ?? '(unnamed)',
                    ...(attrs.classname && { classname: attrs.classname }),
                    message: problem.attributes.message ?? details.split('\n')[0] ?? 'failed',
                    details,
                    ...location,
                });
            }
            else if (element.children.some((c) => c.name === 'skipped')) {
                skipped += 1;
            }
            else {
                const { classname, name } = element.attributes;
                passedNames.push(classname ? `${classname}.${name ?? '(unnamed)'}` : (name ?? '(unnamed)'));
            }
        }
    }
    return { tests, passed: tests - failed - skipped, failed, skipped, failures, passedNames };
}

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
;// CONCATENATED MODULE: ./src/test-in-container/services.ts
/** The `services` input of test-in-container: a YAML list of service containers, strictly checked. */




const KEYS = (/* unused pure expression or super */ null && (['name', 'image', 'env', 'health-cmd', 'port']));
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function services_parseServices(text, input = 'services') {
    if (text.trim() === '')
        return [];
    let doc;
    try {
        doc = parse(text);
    }
    catch (error) {
        throw new InputError(input, `is not valid YAML: ${error.message.split('\n')[0]}`);
    }
    if (!Array.isArray(doc))
        throw new InputError(input, 'must be a YAML list of services (- name: …, image: …)');
    const names = new Set();
    return doc.map((item, index) => {
        const where = `service ${index + 1}`;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            throw new InputError(input, `${where} must be a mapping with name and image`);
        }
        const entry = item;
        for (const key of Object.keys(entry)) {
            if (!KEYS.includes(key))
                throw new InputError(input, `${where}: unknown key ${JSON.stringify(key)} (known: ${KEYS.join(', ')})`);
        }
        const name = entry.name;
        if (typeof name !== 'string' || !NAME.test(name)) {
            throw new InputError(input, `${where}: name must be a lowercase DNS label (a-z, 0-9, -), got ${JSON.stringify(name)}`);
        }
        if (names.has(name))
            throw new InputError(input, `service ${name} is listed twice`);
        names.add(name);
        if (typeof entry.image !== 'string')
            throw new InputError(input, `service ${name}: image is required`);
        let image;
        try {
            image = formatReference(parseReference(entry.image));
        }
        catch (error) {
            throw new InputError(input, `service ${name}: ${error.message}`);
        }
        const env = [];
        if (entry.env !== undefined) {
            if (typeof entry.env !== 'object' || entry.env === null || Array.isArray(entry.env)) {
                throw new InputError(input, `service ${name}: env must be a mapping of NAME: value`);
            }
            for (const [key, value] of Object.entries(entry.env)) {
                if (!ENV_NAME.test(key))
                    throw new InputError(input, `service ${name}: ${JSON.stringify(key)} is not a valid variable name`);
                if (typeof value === 'object' && value !== null)
                    throw new InputError(input, `service ${name}: env ${key} must be a scalar`);
                env.push([key, String(value ?? '')]);
            }
        }
        const spec = { name, image, env };
        if (entry['health-cmd'] !== undefined) {
            const cmd = entry['health-cmd'];
            if (typeof cmd !== 'string' || cmd.trim() === '' || hasControlCharacter(cmd)) {
                throw new InputError(input, `service ${name}: health-cmd must be a single-line command`);
            }
            spec.healthCmd = cmd;
        }
        if (entry.port !== undefined) {
            const port = entry.port;
            if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
                throw new InputError(input, `service ${name}: port must be a number from 1 to 65535, got ${JSON.stringify(port)}`);
            }
            spec.port = port;
        }
        return spec;
    });
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
function buildx_parsePlatforms(text) {
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
const CACHE_TYPES = (/* unused pure expression or super */ null && (['registry', 'local', 'gha', 'inline', 's3', 'azblob']));
/** Cache attributes that carry credentials: never accepted on the command line. */
const CREDENTIAL_ATTRS = (/* unused pure expression or super */ null && ([
    'token',
    'secret_access_key',
    'session_token',
    'access_key_id',
    'account_key',
    'secret',
]));
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
            ref = formatReference(parseReference(line));
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
            parseReference(ref);
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
const ANNOTATION_LEVELS = (/* unused pure expression or super */ null && (['manifest', 'index', 'manifest-descriptor', 'index-descriptor']));
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
const OWN_BUILDKIT_DRIVERS = (/* unused pure expression or super */ null && (['docker-container', 'remote', 'kubernetes']));
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

;// CONCATENATED MODULE: ./src/test-in-container/run-tests.ts
/**
 * test-in-container's work: a private network, service containers waited on until ready (health
 * check, TCP probe or running — never a fixed sleep), the test container, its reports, and a
 * cleanup that removes everything it started, also after failure or cancellation.
 */















const RUN_LABEL = 'dev.slipway.test-run';
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
/**
 * `reports`: a normalised absolute path below / (docker cp copies whatever it names: "/" or "/.."
 * would copy the container's whole filesystem to the runner).
 */
function checkReportsPath(path) {
    if (!path.startsWith('/'))
        throw new InputError('reports', 'must be an absolute path in the container');
    if (path.split('/').some((part) => part === '..' || part === '.'))
        throw new InputError('reports', `${JSON.stringify(path)} must not hold . or .. segments`);
    if (path === '/' || posix.normalize(path) !== path || path.endsWith('/'))
        throw new InputError('reports', `${JSON.stringify(path)} must be a normalised path below / (a file or directory, such as /app/reports)`);
}
/** Env values go to docker in an env file: refused, naming the input, when one cannot hold them. */
function checkEnvFileValues(input, env) {
    for (const [name, value] of env) {
        const problem = envFileProblem(name, value);
        if (problem)
            throw new InputError(input, problem);
    }
}
function readTestRequest(inputs) {
    const image = inputs.line('image');
    if (!image)
        inputs.required('image');
    if (!IMAGE.test(image))
        throw new InputError('image', `${JSON.stringify(image)} is not an image reference or id`);
    const run = inputs.string('run');
    const workdir = inputs.line('workdir');
    if (workdir && !workdir.startsWith('/'))
        throw new InputError('workdir', 'must be an absolute path in the container');
    const reports = inputs.line('reports');
    if (reports)
        checkReportsPath(reports);
    const timeoutMs = inputs.duration('timeout', 1_800_000);
    const waitTimeoutMs = inputs.duration('wait-timeout', 120_000);
    if (run.includes('\0'))
        throw new InputError('run', 'contains a NUL byte');
    refuseOption('run', run); // sh -c would read it as an option
    const services = parseServices(inputs.string('services'));
    for (const service of services)
        checkEnvFileValues('services', service.env);
    const env = inputs.keyValues('env');
    checkEnvFileValues('env', env);
    return {
        image,
        platforms: parsePlatforms(inputs.string('platforms')),
        ...(run && { run }),
        services,
        env,
        ...(workdir && { workdir }),
        mountWorkspace: inputs.boolean('mount-workspace', false),
        ...(reports && { reports }),
        timeoutMs,
        waitTimeoutMs,
    };
}
function newSession() {
    const id = `slipway-test-${randomBytes(5).toString('hex')}`;
    return { id, network: id };
}
async function containerState(runner, target, name) {
    const result = await runChecked(runner, docker.inspectContainer(target, name));
    return JSON.parse(result.stdout).State;
}
/** Connects and holds: a proxy in front of a closed port accepts and then hangs up at once. */
function tcpAnswers(host, port, holdMs = 300) {
    return new Promise((resolve) => {
        const socket = connect({ host, port });
        let settled = false;
        const done = (ok) => {
            if (settled)
                return;
            settled = true;
            socket.destroy();
            resolve(ok);
        };
        socket.once('connect', () => setTimeout(() => done(true), holdMs));
        socket.once('data', () => done(true));
        socket.once('error', () => done(false));
        socket.once('close', () => done(false));
        socket.setTimeout(2000, () => done(false));
    });
}
async function waitForService(runner, target, session, service, timeoutMs) {
    const name = `${session.id}-${service.name}`;
    const deadline = Date.now() + timeoutMs;
    let how = 'running';
    let mapped;
    for (;;) {
        const state = await containerState(runner, target, name);
        if (state.Status === 'exited' || state.Status === 'dead') {
            throw await serviceError(runner, target, service, name, `exited with code ${state.ExitCode} before it was ready`, state);
        }
        if (state.Health) {
            how = 'health check';
            if (state.Health.Status === 'healthy')
                return how;
        }
        else if (service.port !== undefined) {
            how = `TCP port ${service.port}`;
            if (!mapped) {
                const out = (await runChecked(runner, docker.port(target, name, service.port))).stdout.trim().split('\n')[0] ??
                    '';
                const m = /^(.*):(\d+)$/.exec(out);
                if (m)
                    mapped = { host: m[1].replace(/^0\.0\.0\.0$/, '127.0.0.1'), port: Number(m[2]) };
            }
            if (mapped && (await tcpAnswers(mapped.host, mapped.port)))
                return how;
        }
        else if (state.Status === 'running') {
            return how;
        }
        if (Date.now() > deadline) {
            throw await serviceError(runner, target, service, name, `was not ready (${how}) within ${Math.round(timeoutMs / 1000)} s`, state);
        }
        await sleep(500);
    }
}
async function serviceError(runner, target, service, name, problem, state) {
    const logs = await runner.run(docker.logs(target, name, { tail: 40 }));
    const health = state.Health?.Log?.slice(-3)
        .map((h) => `  exit ${h.ExitCode}: ${h.Output.trim()}`)
        .join('\n');
    return new Error([
        `service ${service.name} (${service.image}) ${problem}.`,
        health ? `Last health checks:\n${health}` : '',
        `Last log lines:\n${`${logs.stdout}${logs.stderr}`.trim() || '(no output)'}`,
    ]
        .filter(Boolean)
        .join('\n'));
}
function run_tests_readReports(path) {
    if (!existsSync(path))
        return [];
    if (statSync(path).isFile())
        return [readFileSync(path, 'utf8')];
    const xmls = [];
    for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
        const full = join(path, entry);
        if (entry.endsWith('.xml') && statSync(full).isFile())
            xmls.push(readFileSync(full, 'utf8'));
    }
    return xmls;
}
/**
 * Runs `command` (a docker run) with `env` in a 0600 env file in a private directory, removed as soon
 * as docker has read it: values reach only the container, never a command line or the docker
 * client's own environment.
 */
async function withEnvFile(env, command) {
    if (env.length === 0)
        return command(undefined);
    const dir = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'slipway-env-'));
    try {
        const file = join(dir, 'env');
        writeFileSync(file, envFileContent(env), { mode: 0o600 });
        return await command(file);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
async function runTests(runner, target, request, session, options, hooks) {
    const labels = { [RUN_LABEL]: session.id };
    await runChecked(runner, networks.networkCreate(target, session.network, labels));
    hooks.log(`Network ${session.network}`);
    const started = performance.now();
    for (const service of request.services) {
        await withEnvFile(service.env, (envFile) => runChecked(runner, docker.run(target, {
            name: `${session.id}-${service.name}`,
            image: service.image,
            detach: true,
            network: session.network,
            networkAliases: [service.name],
            ...(envFile && { envFile }),
            labels,
            ...(service.healthCmd && { healthCmd: service.healthCmd }),
            ...(service.port !== undefined &&
                !service.healthCmd && { publish: [`127.0.0.1::${service.port}`] }),
        })));
        hooks.log(`Started service ${service.name} (${service.image})`);
    }
    const services = await Promise.all(request.services.map(async (service) => {
        const how = await waitForService(runner, target, session, service, request.waitTimeoutMs);
        const readyMs = performance.now() - started;
        hooks.log(`Service ${service.name} is ready (${how}) after ${(readyMs / 1000).toFixed(1)} s`);
        return { name: service.name, readyMs, how };
    }));
    const name = `${session.id}-tests`;
    const volumes = request.mountWorkspace ? [`${options.workspace}:/workspace`] : [];
    const workdir = request.workdir ?? (request.mountWorkspace ? '/workspace' : undefined);
    await withEnvFile(request.env, (envFile) => runChecked(runner, docker.run(target, {
        name,
        image: request.image,
        detach: true,
        network: session.network,
        ...(envFile && { envFile }),
        labels,
        volumes,
        ...(workdir && { workdir }),
        ...(request.runPlatform && { platform: request.runPlatform }),
        ...(request.run !== undefined && { entrypoint: '', command: ['sh', '-c', request.run] }),
    })));
    const testStarted = performance.now();
    const following = runner.run(docker.logs(target, name, { follow: true }), { onOutput: hooks.onOutput });
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        void runner.run(docker.kill(target, name));
    }, request.timeoutMs);
    const waited = await runChecked(runner, docker.wait(target, name)).finally(() => clearTimeout(timer));
    await following;
    const exitCode = Number(waited.stdout.trim());
    const durationMs = performance.now() - testStarted;
    let report;
    let junit;
    if (request.reports) {
        mkdirSync(options.reportDir, { recursive: true });
        const destination = join(options.reportDir, request.reports.split('/').filter(Boolean).pop() ?? 'report');
        const copied = await runner.run(docker.copyFrom(target, name, request.reports, destination));
        if (copied.exitCode === 0) {
            report = destination;
            junit = summarizeJUnit(run_tests_readReports(destination));
        }
        else {
            hooks.log(`No report at ${request.reports} in the test container: ${copied.stderr.trim()}`);
        }
    }
    return {
        exitCode: timedOut ? 124 : exitCode,
        timedOut,
        durationMs,
        ...(report && { report }),
        ...(junit && { junit }),
        services,
    };
}
/** Removes every container (with anonymous volumes) and the network of a session. Idempotent. */
async function cleanupSession(runner, target, id) {
    if (!/^slipway-test-[a-f0-9]+$/.test(id) || hasControlCharacter(id))
        return 0;
    const listed = await runner.run(docker.listContainers(target, [`label=${RUN_LABEL}=${id}`]));
    const containers = listed.stdout.split('\n').filter(Boolean);
    if (containers.length > 0)
        await runner.run(docker.removeContainersAndVolumes(target, containers));
    await runner.run(networks.networkRemove(target, id));
    return containers.length;
}

// EXTERNAL MODULE: ./src/registry/image-tree.ts
var image_tree = __webpack_require__(4731);
;// CONCATENATED MODULE: ./src/test-in-container/platform.ts
/**
 * Which platforms of the image the tests run on, and the image each runs in. An image in the
 * engine's store is tested on its own platform; a reference the engine does not have is read from
 * its registry: an index is tested on each of its platforms (each platform's manifest pulled by its
 * digest), a single manifest on its own. `platforms` narrows (or names) what is tested. A platform
 * this runner can neither run natively nor through emulation registered with binfmt_misc is refused
 * before anything runs.
 */








/** `docker image inspect`'s Os/Architecture/Variant line as a platform. */
function platformOf(text) {
    return text.trim().replace(/\/$/, '');
}
/** os/arch of a platform (a variant dropped): what decides whether it runs natively. */
function osArch(platform) {
    return platform.split('/').slice(0, 2).join('/');
}
/** Whether `platform` is `wanted` ("linux/arm64" matches "linux/arm64/v8"; "linux/arm/v7" only itself). */
function platform_platformMatches(platform, wanted) {
    return platform === wanted || platform.startsWith(`${wanted}/`) || wanted.startsWith(`${platform}/`);
}
/**
 * The targets `requested` picks from what the image offers (all of them when nothing is requested),
 * or an InputError naming a requested platform the image does not have.
 */
function pickPlatforms(offered, requested, image) {
    if (requested.length === 0)
        return [...offered];
    return requested.map((wanted) => {
        const found = offered.find((t) => platform_platformMatches(t.platform, wanted));
        if (!found)
            throw new InputError('platforms', `${image} has no ${wanted} image (it has ${offered.map((t) => t.platform).join(', ') || 'none'})`);
        return found;
    });
}
/** Platforms a runner of `runner`'s platform runs without emulation. */
const NATIVE_TOO = {
    'linux/amd64': ['linux/386'],
    'linux/arm64': ['linux/arm'],
};
/** The binfmt_misc entry (QEMU's, as docker/setup-qemu-action and binfmt-support name it) per architecture. */
const QEMU_ENTRIES = {
    amd64: 'qemu-x86_64',
    '386': 'qemu-i386',
    arm64: 'qemu-aarch64',
    arm: 'qemu-arm',
    riscv64: 'qemu-riscv64',
    ppc64le: 'qemu-ppc64le',
    s390x: 'qemu-s390x',
    mips64le: 'qemu-mips64el',
    mips64: 'qemu-mips64',
    loong64: 'qemu-loongarch64',
};
/** Reads /proc/sys/fs/binfmt_misc: the names of the enabled entries (undefined when not mounted). */
function readBinfmt(dir = '/proc/sys/fs/binfmt_misc') {
    if (!existsSync(join(dir, 'status')))
        return undefined;
    const enabled = new Set();
    for (const name of readdirSync(dir)) {
        if (name === 'status' || name === 'register')
            continue;
        try {
            if (/^enabled$/m.test(readFileSync(join(dir, name), 'utf8')))
                enabled.add(name);
        }
        catch {
            // an entry removed while listed
        }
    }
    return { enabled };
}
/** Why `platform` cannot run on a `runner` engine with `binfmt`, or undefined when it can. */
function whyNotRunnable(platform, runner, binfmt) {
    const own = osArch(platform);
    if (own === runner || (NATIVE_TOO[runner] ?? []).includes(own))
        return undefined;
    const [os, arch = ''] = own.split('/');
    if (os !== runner.split('/')[0])
        return `${platform} images do not run on a ${runner} engine`;
    const entry = QEMU_ENTRIES[arch] ?? `qemu-${arch}`;
    if (binfmt?.enabled.has(entry))
        return undefined;
    return binfmt
        ? `no emulation is registered for it (binfmt_misc has no enabled ${entry})`
        : 'no emulation is registered for it (binfmt_misc is not mounted)';
}
/**
 * Refuses, before anything runs, the platforms this runner cannot run: named, with how to enable
 * emulation. Only a local engine's binfmt_misc can be read; a remote engine (DOCKER_HOST) is trusted.
 */
function checkRunnable(targets, runner, binfmt, requested) {
    const problems = targets
        .map((t) => [t.platform, whyNotRunnable(t.platform, runner, binfmt)])
        .filter((p) => p[1] !== undefined);
    if (problems.length === 0)
        return;
    const runnable = targets.filter((t) => !whyNotRunnable(t.platform, runner, binfmt)).map((t) => t.platform);
    const emulable = problems.some(([, why]) => why.startsWith('no emulation'));
    const instead = runnable.length > 0
        ? `${requested ? 'list' : 'set platforms to'} only the platforms this runner runs (${runnable.join(',')})`
        : 'test on a runner of that platform';
    throw new InputError('platforms', [
        `${problems.map(([p]) => p).join(', ')} cannot run on this runner (${runner}): ${problems.map(([p, why]) => `${p}: ${why}`).join('; ')}.`,
        emulable
            ? `Register QEMU emulation first (docker/setup-qemu-action in the job before this step; on a machine of your own, binfmt_misc with apt-get install qemu-user-static binfmt-support), or ${instead}.`
            : `Nothing was run: ${instead}.`,
    ].join(' '));
}
/** Whether the docker client talks to an engine on this machine (its binfmt_misc is the engine's). */
function localEngine(env = process.env) {
    const host = env.DOCKER_HOST ?? '';
    return host === '' || host.startsWith('unix://');
}
async function imageInStore(runner, target, image) {
    const inspected = await runner.run(images.imagePlatform(target, image));
    return inspected.exitCode === 0 ? platformOf(inspected.stdout) : undefined;
}
/** The platforms of `image` to test (see the file's comment); nothing is pulled yet. */
async function resolveTestPlatforms(runner, target, image, requested) {
    const [runnerPlatform, inStore] = await Promise.all([
        runChecked(runner, images.serverPlatform(target)).then((r) => r.stdout.trim()),
        imageInStore(runner, target, image),
    ]);
    if (inStore !== undefined &&
        (requested.length === 0 || requested.every((p) => platform_platformMatches(inStore, p))))
        return {
            targets: pickPlatforms([{ platform: inStore, image }], requested, image),
            runner: runnerPlatform,
            source: 'engine',
        };
    if (inStore !== undefined) {
        // An engine that holds a whole index (the containerd image store) has each platform asked for:
        // each is run with docker run --platform.
        const held = await Promise.all(requested.map(async (wanted) => {
            const one = await runner.run(images.imagePlatform(target, image, wanted));
            return one.exitCode === 0
                ? { platform: platformOf(one.stdout), image, runPlatform: true }
                : undefined;
        }));
        if (held.every((t) => t !== undefined))
            return { targets: held, runner: runnerPlatform, source: 'engine' };
    }
    // Not in the engine's store (or another platform asked for): the registry says what the image is.
    let ref;
    try {
        ref = parseReference(image);
    }
    catch {
        ref = undefined;
    }
    if (ref && !/^[a-f0-9]{64}$/.test(image) && !image.startsWith('sha256:')) {
        const client = clientFor(ref.registry, { retry: { retries: 1, baseDelayMs: 200, maxDelayMs: 1000 } });
        let manifest;
        try {
            manifest = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
        }
        catch (error) {
            if (inStore !== undefined)
                throw new InputError('platforms', `${image} is in the engine's image store for ${inStore} only, and its registry cannot say which other platforms it has (${error.message.split('\n')[0]})`);
            manifest = undefined; // docker pull says why (or finds it where this client cannot)
        }
        if (manifest && isIndex(manifest)) {
            const name = repositoryName(ref);
            const offered = platformImages(manifest).map((p) => ({
                platform: p.platform,
                image: `${name}@${p.digest}`,
                digest: p.digest,
            }));
            return {
                targets: pickPlatforms(offered, requested, image),
                runner: runnerPlatform,
                source: 'index',
                index: manifest.digest,
            };
        }
    }
    if (inStore !== undefined)
        throw new InputError('platforms', `${image} has one platform, ${inStore} (it is not an index of several): test ${requested.join(', ')} with a reference to a multi-platform index`);
    // A single-platform image the engine does not have: pulled, then its own platform.
    await runChecked(runner, images.pull(target, image));
    const pulled = (await runChecked(runner, images.imagePlatform(target, image))).stdout;
    return {
        targets: pickPlatforms([{ platform: platformOf(pulled), image }], requested, image),
        runner: runnerPlatform,
        source: 'registry',
    };
}
/** Pulls a platform's image by its digest when the engine does not have it yet. */
async function ensurePulled(runner, target, t) {
    if (!t.digest)
        return false;
    if ((await runner.run(images.imagePlatform(target, t.image))).exitCode === 0)
        return false;
    await runChecked(runner, images.pull(target, t.image));
    return true;
}
/** One line saying which platforms are tested and why. */
function describeTested(image, tested) {
    const names = tested.targets.map((t) => {
        const own = osArch(t.platform) === tested.runner;
        const native = own || (NATIVE_TOO[tested.runner] ?? []).includes(osArch(t.platform));
        return `${t.platform}${own ? " (this runner's platform)" : native ? '' : ' (emulated)'}`;
    });
    const where = tested.source === 'index'
        ? `, each platform's image pulled by digest from the index ${tested.index}`
        : tested.source === 'registry'
            ? ', pulled from its registry'
            : '';
    const runnerNote = tested.targets.some((t) => osArch(t.platform) === tested.runner)
        ? ''
        : ` (this runner is ${tested.runner})`;
    return `Testing ${image} for ${names.join(', ')}${runnerNote}${where}`;
}

;// CONCATENATED MODULE: ./src/supply-chain/formats.ts
/**
 * The documents cosign signs and stores, byte for byte: the simple-signing payload of an image
 * signature, the in-toto statement with the test-result predicate, and the DSSE envelope with its
 * pre-authentication encoding (PAE). Pure functions: no keys, no registry.
 */
const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
const formats_SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const formats_DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
const formats_IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const formats_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const formats_TEST_RESULT_PREDICATE = 'https://in-toto.io/attestation/test-result/v0.1';
const formats_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Annotations Slipway adds inside the signed payload's `optional` part. */
const formats_SIGNED_AT = 'dev.slipway.signed-at';
const formats_SIGNED_RUN = 'dev.slipway.run-url';
/** Short names for `require-attestations`. */
const PREDICATE_ALIASES = {
    'test-result': formats_TEST_RESULT_PREDICATE,
};
/** The payload cosign signs for an image (key order as cosign writes it). */
function formats_simpleSigningPayload(repository, digest, optional = {}) {
    const payload = {
        critical: {
            identity: { 'docker-reference': repository },
            image: { 'docker-manifest-digest': digest },
            type: SIMPLE_SIGNING_TYPE,
        },
        optional: Object.keys(optional).length > 0 ? optional : null,
    };
    return Buffer.from(JSON.stringify(payload));
}
function parseSimpleSigningPayload(bytes) {
    const parsed = JSON.parse(bytes.toString('utf8'));
    if (parsed?.critical?.type !== SIMPLE_SIGNING_TYPE ||
        typeof parsed.critical.image?.['docker-manifest-digest'] !== 'string')
        throw new Error('not a cosign simple-signing payload');
    return parsed;
}
/** DSSE's pre-authentication encoding: what is actually signed. */
function formats_pae(payloadType, payload) {
    const type = Buffer.from(payloadType, 'utf8');
    return Buffer.concat([
        Buffer.from(`DSSEv1 ${type.length} `),
        type,
        Buffer.from(` ${payload.length} `),
        payload,
    ]);
}
function formats_dsseEnvelope(payloadType, payload, signature, keyid = '') {
    const envelope = {
        payloadType,
        payload: payload.toString('base64'),
        signatures: [{ keyid, sig: signature.toString('base64') }],
    };
    return Buffer.from(JSON.stringify(envelope));
}
function parseDsseEnvelope(bytes) {
    const parsed = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed?.payloadType !== 'string' ||
        typeof parsed.payload !== 'string' ||
        !Array.isArray(parsed.signatures))
        throw new Error('not a DSSE envelope');
    return parsed;
}
function formats_statement(repository, digest, predicateType, predicate) {
    const [algorithm, hex] = digest.split(':');
    const s = {
        _type: formats_STATEMENT_TYPE,
        subject: [{ name: repository, digest: { [algorithm]: hex } }],
        predicateType,
        predicate,
    };
    return Buffer.from(JSON.stringify(s));
}
function parseStatement(bytes) {
    const parsed = JSON.parse(bytes.toString('utf8'));
    if (!Array.isArray(parsed?.subject) || typeof parsed.predicateType !== 'string')
        throw new Error('not an in-toto statement');
    return parsed;
}
/** Whether a statement's subjects include the digest (sha256:<hex>). */
function statementCovers(s, digest) {
    const [algorithm, hex] = digest.split(':');
    return s.subject.some((subject) => subject.digest?.[algorithm] === hex);
}
/** The test-result predicate of a run: PASSED only with exit code 0 (when known) and no failed test. */
function formats_testResultPredicate(run) {
    const failed = run.failedTests.length > 0 || (run.exitCode !== undefined && run.exitCode !== 0);
    return {
        result: failed ? 'FAILED' : 'PASSED',
        ...(run.command && {
            configuration: [
                {
                    name: 'test-command',
                    annotations: {
                        command: run.command,
                        ...(run.exitCode !== undefined && { exitCode: run.exitCode }),
                    },
                },
            ],
        }),
        ...(run.url && { url: run.url }),
        passedTests: run.passedTests,
        warnedTests: [],
        failedTests: run.failedTests,
    };
}
/** The command a test-result predicate records (Slipway's configuration entry), if any. */
function testCommandOf(predicate) {
    const entry = predicate.configuration?.find((c) => c.name === 'test-command');
    const command = entry?.annotations?.command;
    return typeof command === 'string' ? command : undefined;
}

// EXTERNAL MODULE: ./node_modules/tweetnacl/nacl-fast.js
var nacl_fast = __webpack_require__(668);
;// CONCATENATED MODULE: ./src/supply-chain/keys.ts
/**
 * Signing and verification keys in the formats cosign reads and writes: public keys as PEM
 * (SubjectPublicKeyInfo), private keys as cosign's encrypted format ("ENCRYPTED SIGSTORE PRIVATE
 * KEY", older "ENCRYPTED COSIGN PRIVATE KEY": scrypt and NaCl secretbox over a PKCS#8 key) or as
 * plain PEM (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY"). Signatures follow sigstore's
 * defaults: ECDSA with SHA-256 (P-256), SHA-384 (P-384), SHA-512 (P-521), ASN.1 DER; RSA PKCS#1 v1.5
 * with SHA-256; Ed25519 over the message itself.
 */


class keys_KeyError extends Error {
    constructor(message) {
        super(message);
        this.name = 'KeyError';
    }
}
const ENCRYPTED_TYPES = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'];
const PLAIN_TYPES = ['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY'];
/** Every PEM block of a text, in order (other text between blocks is ignored). */
function pemBlocks(text) {
    const blocks = [];
    const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
    for (const m of text.matchAll(re)) {
        const type = m[1];
        const base64 = m[2].replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
        blocks.push({ type, body: Buffer.from(base64, 'base64'), text: m[0] });
    }
    return blocks;
}
/** The hash sigstore signs with for a key ('' for Ed25519, which signs the message). */
function hashFor(key) {
    const type = key.asymmetricKeyType;
    if (type === 'ed25519')
        return null;
    if (type === 'ec') {
        const curve = key.asymmetricKeyDetails?.namedCurve;
        if (curve === 'secp384r1')
            return 'sha384';
        if (curve === 'secp521r1')
            return 'sha512';
        if (curve === 'prime256v1')
            return 'sha256';
        throw new keys_KeyError(`EC curve ${curve ?? 'unknown'} is not one cosign signs with (P-256, P-384, P-521)`);
    }
    if (type === 'rsa')
        return 'sha256';
    throw new keys_KeyError(`${type ?? 'unknown'} keys are not supported (ECDSA, RSA or Ed25519)`);
}
/** Opens cosign's encrypted private key: scrypt(password, salt, N, r, p) → 32-byte secretbox key. */
function decryptCosignKey(body, password) {
    let parsed;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    }
    catch {
        throw new keys_KeyError('the encrypted private key is not cosign JSON');
    }
    if (parsed.kdf?.name !== 'scrypt' || parsed.cipher?.name !== 'nacl/secretbox')
        throw new keys_KeyError(`the encrypted private key uses ${parsed.kdf?.name}/${parsed.cipher?.name}, not scrypt/nacl/secretbox`);
    const { N, r, p } = parsed.kdf.params;
    if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20 || r > 32 || p > 16)
        throw new keys_KeyError('the encrypted private key has out-of-range scrypt parameters');
    const key = scryptSync(password, Buffer.from(parsed.kdf.salt, 'base64'), 32, {
        N,
        r,
        p,
        maxmem: 256 * N * r + 1024 * 1024,
    });
    const opened = nacl.secretbox.open(new Uint8Array(Buffer.from(parsed.ciphertext, 'base64')), new Uint8Array(Buffer.from(parsed.cipher.nonce, 'base64')), new Uint8Array(key));
    key.fill(0);
    if (!opened)
        throw new keys_KeyError('wrong password for the encrypted private key (sign-key-password)');
    return Buffer.from(opened);
}
/** A private key from PEM text; the password opens cosign's encrypted format. Errors never show the key. */
function keys_parsePrivateKey(text, password = '') {
    const blocks = pemBlocks(text);
    const block = blocks.find((b) => ENCRYPTED_TYPES.includes(b.type) || PLAIN_TYPES.includes(b.type));
    if (!block) {
        const types = blocks.map((b) => b.type);
        throw new keys_KeyError(types.length > 0
            ? `no private key in it (found ${types.join(', ')}); give the cosign.key file or a PEM private key`
            : 'not a PEM private key (-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)');
    }
    let privateKey;
    try {
        if (ENCRYPTED_TYPES.includes(block.type)) {
            const der = decryptCosignKey(block.body, password);
            try {
                privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
            }
            finally {
                der.fill(0);
            }
        }
        else {
            privateKey = createPrivateKey({ key: block.text, format: 'pem' });
        }
    }
    catch (error) {
        if (error instanceof keys_KeyError)
            throw error;
        throw new keys_KeyError(`the ${block.type} cannot be read (${error.code ?? 'invalid'})`);
    }
    hashFor(privateKey);
    const publicKey = createPublicKey(privateKey);
    return { privateKey, publicKey, fingerprint: fingerprint(publicKey) };
}
/** One or more public keys (PEM "PUBLIC KEY" blocks) from a text. */
function parsePublicKeys(text) {
    const blocks = pemBlocks(text);
    if (blocks.some((b) => ENCRYPTED_TYPES.includes(b.type) || PLAIN_TYPES.includes(b.type)))
        throw new keys_KeyError('it holds a private key: give the public key (cosign.pub), never the private one');
    const keys = blocks
        .filter((b) => b.type === 'PUBLIC KEY' || b.type === 'RSA PUBLIC KEY')
        .map((b) => {
        let publicKey;
        try {
            publicKey = (0,external_node_crypto_.createPublicKey)({ key: b.text, format: 'pem' });
        }
        catch {
            throw new keys_KeyError(`a ${b.type} block cannot be read`);
        }
        hashFor(publicKey);
        return { publicKey, fingerprint: fingerprint(publicKey), pem: publicKeyPem(publicKey) };
    });
    if (keys.length === 0)
        throw new keys_KeyError('no PEM public key in it (-----BEGIN PUBLIC KEY-----)');
    return keys;
}
function publicKeyPem(key) {
    return key.export({ format: 'pem', type: 'spki' }).toString();
}
function fingerprint(key) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256')
        .update(key.export({ format: 'der', type: 'spki' }))
        .digest('hex')}`;
}
/** A signature as sigstore makes it (DER ECDSA, PKCS#1 v1.5 RSA, or Ed25519). */
function keys_signBytes(key, data) {
    return cryptoSign(hashFor(key.privateKey), data, key.privateKey);
}
function verifyBytes(key, data, signature) {
    try {
        return (0,external_node_crypto_.verify)(hashFor(key), data, key, signature);
    }
    catch {
        return false;
    }
}

// EXTERNAL MODULE: ./node_modules/@sigstore/protobuf-specs/dist/index.js
var protobuf_specs_dist = __webpack_require__(9654);
// EXTERNAL MODULE: ./node_modules/@sigstore/verify/dist/index.js
var verify_dist = __webpack_require__(4187);
// EXTERNAL MODULE: ./node_modules/@sigstore/bundle/dist/index.js
var bundle_dist = __webpack_require__(1040);
// EXTERNAL MODULE: ./node_modules/@sigstore/core/dist/index.js
var core_dist = __webpack_require__(3917);
// EXTERNAL MODULE: ./src/registry/client.ts + 5 modules
var client = __webpack_require__(8682);
;// CONCATENATED MODULE: ./src/supply-chain/bundle.ts
/**
 * Sigstore bundles (v0.3, `application/vnd.dev.sigstore.bundle.v0.3+json`), the format cosign v3
 * signs and attests in by default: one bundle per signature, stored as the one layer of an OCI
 * referrer of the image (artifactType the bundle's media type, the empty config, `subject` the
 * image). A signature is a DSSE envelope over an in-toto statement whose predicate type is
 * https://sigstore.dev/cosign/sign/v1 (cosign v3's `sign`), or a message signature over the
 * manifest itself; an attestation is a DSSE envelope over a statement of its predicate type.
 *
 * Parsing and checking use the Sigstore project's libraries (@sigstore/bundle for the format,
 * @sigstore/verify for the signature), offline: with verify-key, transparency-log entries and
 * timestamps are not consulted (as `cosign verify --key … --insecure-ignore-tlog` and Slipway's
 * legacy verification), so no network and no trust root is needed. Keyless bundles (a Fulcio-style
 * certificate) are verified against a supplied trust root (trusted_root.json) and an identity
 * policy, never fetched. Pure functions: no registry.
 */







const BUNDLE_MEDIA_TYPE = (/* unused pure expression or super */ null && (BUNDLE_V03_MEDIA_TYPE));
/** Fulcio's certificate extensions naming the OIDC issuer (v1: raw string; v2: DER UTF8String). */
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
/** Every bundle media type (v0.1 to v0.3, old and new spellings) starts with this. */
const BUNDLE_MEDIA_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** The predicate type of cosign v3's `sign`: the statement is the signature. */
const bundle_COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const BUNDLE_ANNOTATIONS = {
    created: 'org.opencontainers.image.created',
    content: 'dev.sigstore.bundle.content',
    predicateType: 'dev.sigstore.bundle.predicateType',
};
const EMPTY_CONFIG = {
    mediaType: 'application/vnd.oci.empty.v1+json',
    digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    size: 2,
};
function isBundleMediaType(mediaType) {
    return typeof mediaType === 'string' && mediaType.startsWith(BUNDLE_MEDIA_PREFIX);
}
/** The key hint sigstore writes for a public key: base64 of the SHA-256 of its DER (SPKI). */
function keyHint(key) {
    return createHash('sha256')
        .update(key.export({ format: 'der', type: 'spki' }))
        .digest('base64');
}
/**
 * The statement cosign v3's `sign` signs: the digest as its only subject (no name), the cosign
 * sign predicate, empty; `annotations` go on the subject (cosign's `-a key=value`), signed.
 */
function bundle_signStatement(digest, annotations = {}) {
    const [algorithm, hex] = digest.split(':');
    return Buffer.from(JSON.stringify({
        _type: STATEMENT_TYPE,
        subject: [
            {
                digest: { [algorithm]: hex },
                ...(Object.keys(annotations).length > 0 && { annotations }),
            },
        ],
        predicateType: bundle_COSIGN_SIGN_PREDICATE,
        predicate: {},
    }));
}
/** A bundle (JSON bytes) holding `statement` in a DSSE envelope signed by `key`. */
function bundle_dsseBundle(statementBytes, key) {
    const signature = signBytes(key, pae(IN_TOTO_PAYLOAD_TYPE, statementBytes));
    const bundle = toDSSEBundle({
        artifact: statementBytes,
        artifactType: IN_TOTO_PAYLOAD_TYPE,
        signature,
        keyHint: keyHint(key.publicKey),
    });
    // The hint goes in the verification material only: a DSSE keyid is matched against the
    // verifier's own key id by cosign (sigstore-go), which is not this hint; cosign writes none.
    for (const s of bundle.content.dsseEnvelope.signatures)
        s.keyid = '';
    return Buffer.from(JSON.stringify(bundleToJSON(bundle)));
}
/**
 * The referrer manifest cosign v3 writes for a bundle: the empty config (carrying the artifact type,
 * as cosign's does), the bundle as the one layer, `subject` the image, and cosign's annotations.
 */
function bundle_bundleReferrer(subject, bundle, predicateType, created) {
    const bytes = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { ...EMPTY_CONFIG, artifactType: BUNDLE_MEDIA_TYPE },
        layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: bundle.digest, size: bundle.size }],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        annotations: {
            [BUNDLE_ANNOTATIONS.created]: created,
            [BUNDLE_ANNOTATIONS.content]: 'dsse-envelope',
            [BUNDLE_ANNOTATIONS.predicateType]: predicateType,
        },
        artifactType: BUNDLE_MEDIA_TYPE,
    }));
    return { bytes, digest: sha256(bytes), mediaType: MEDIA_TYPES.ociManifest, size: bytes.length };
}
/** The bundle in bytes, validated by @sigstore/bundle; throws with what is wrong. */
function parseBundle(bytes) {
    let json;
    try {
        json = JSON.parse(bytes.toString('utf8'));
    }
    catch {
        throw new Error('not JSON');
    }
    const mediaType = json?.mediaType;
    if (!isBundleMediaType(typeof mediaType === 'string' ? mediaType : undefined))
        throw new Error(`media type ${JSON.stringify(mediaType)} is not a Sigstore bundle's`);
    try {
        const bundle = (0,bundle_dist/* bundleFromJSON */.vw)(json);
        (0,bundle_dist/* assertBundle */.DU)(bundle);
        return bundle;
    }
    catch (error) {
        const fields = error.fields;
        throw new Error(`${error.message}${Array.isArray(fields) && fields.length > 0 ? `: ${fields.join(', ')}` : ''}`);
    }
}
/** A key's fingerprint shortened (sha256: and 12 hex digits); an identity as it is. */
function bundle_short(signer) {
    return signer.startsWith('sha256:') ? signer.slice(0, 19) : signer;
}
const EMPTY_ROOT = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
};
/**
 * The bundle as verification with a key sees it: no transparency-log entries, no timestamps (the
 * log is not consulted; a bundle that has them is checked on its signature alone).
 */
function withoutLog(bundle) {
    return {
        ...bundle,
        verificationMaterial: {
            ...bundle.verificationMaterial,
            tlogEntries: [],
            timestampVerificationData: { rfc3161Timestamps: [] },
        },
    };
}
/** Whether `key` made the bundle's signature (over the PAE, or over `artifact` for a message signature). */
function signedBy(bundle, key, artifact) {
    // @sigstore/verify verifies with the key type's default hash (SHA-256): P-384 and P-521 keys,
    // which sigstore signs with SHA-384 and SHA-512, are checked with that hash here.
    const hash = hashFor(key.publicKey);
    if (hash === 'sha384' || hash === 'sha512') {
        const content = bundle.content;
        if (content.$case === 'dsseEnvelope') {
            const env = content.dsseEnvelope;
            return env.signatures.some((s) => verifyBytes(key.publicKey, formats_pae(env.payloadType, env.payload), s.sig));
        }
        return artifact !== undefined && verifyBytes(key.publicKey, artifact, content.messageSignature.signature);
    }
    const verifier = new verify_dist/* Verifier */.BL((0,verify_dist/* toTrustMaterial */.jO)(EMPTY_ROOT, () => ({ publicKey: key.publicKey, validFor: () => true })), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    try {
        verifier.verify((0,verify_dist/* toSignedEntity */.DC)(withoutLog(bundle), artifact));
        return true;
    }
    catch {
        return false;
    }
}
/** The identity a Fulcio-style certificate names: its subject alternative name and OIDC issuer. */
function certificateIdentity(der) {
    try {
        const cert = core_dist.X509Certificate.parse(Buffer.from(der));
        const v2 = cert.extension(OID_ISSUER_V2);
        const issuer = v2
            ? v2.valueObj.subs?.[0]?.value.toString('utf8')
            : cert.extension(OID_ISSUER_V1)?.value.toString('utf8');
        return {
            identity: cert.subjectAltName ?? '(no subject alternative name)',
            issuer: issuer ?? '(no issuer)',
        };
    }
    catch {
        return { identity: '(a certificate that cannot be read)', issuer: '?' };
    }
}
/** Who a bundle says signed it: the key hint, or the certificate's identity. */
function signerOf(bundle) {
    const material = bundle.verificationMaterial.content;
    if (material.$case === 'publicKey')
        return material.publicKey.hint ? `key hint ${material.publicKey.hint}` : 'a key without hint';
    const der = material.$case === 'certificate'
        ? material.certificate.rawBytes
        : material.x509CertificateChain.certificates[0]?.rawBytes;
    const { identity, issuer } = certificateIdentity(Buffer.from(der ?? []));
    return `certificate for ${identity}, issuer ${issuer}`;
}
/** How a policy's identity reads in a message. */
function describeKeyless(policy) {
    const identity = typeof policy.identity === 'string' ? policy.identity : `~/${policy.identity.source}/`;
    return `certificate-identity ${identity} (issuer ${policy.issuer})`;
}
/** Verifies a certificate bundle's signature and identity; throws what does not hold. */
function verifyKeyless(bundle, policy, artifact) {
    if (policy.requireLog && bundle.verificationMaterial.tlogEntries.length === 0)
        throw new Error('it has no transparency-log entry (require-transparency-log is true)');
    const verifier = new verify_dist/* Verifier */.BL(policy.trustMaterial, {
        tlogThreshold: policy.requireLog ? 1 : 0,
        ctlogThreshold: policy.requireLog ? 1 : 0,
        timestampThreshold: 1,
    });
    const entity = (0,verify_dist/* toSignedEntity */.DC)(policy.requireLog ? bundle : withoutLog(bundle), artifact);
    // Without the log, the one time the certificate must be valid at is now (a synthetic
    // observation: @sigstore/verify checks the chain at each timestamp it is given).
    const timestamps = policy.requireLog
        ? entity.timestamps
        : [
            {
                $case: 'transparency-log',
                tlogEntry: {
                    inclusionPromise: { signedEntryTimestamp: Buffer.alloc(0) },
                    logId: { keyId: Buffer.alloc(0) },
                    integratedTime: String(Math.floor(Date.now() / 1000)),
                },
            },
        ];
    verifier.verify({ ...entity, timestamps }, { subjectAlternativeName: policy.identity, extensions: { issuer: policy.issuer } });
}
/** The signer of a bundle among the keys or by the keyless policy, or why none. */
function signer(bundle, keys, keyless, artifact) {
    const what = bundle.content.$case === 'messageSignature' ? 'a message-signature bundle' : 'a bundle';
    if (bundle.verificationMaterial.content.$case === 'publicKey') {
        const key = keys.find((k) => signedBy(bundle, k, artifact));
        if (key)
            return { ok: true, signer: key.fingerprint };
        return {
            ok: false,
            note: `${what} by another key (${signerOf(bundle)}, or ${bundle.content.$case === 'messageSignature' ? 'over other bytes' : 'altered after signing'})`,
        };
    }
    if (!keyless)
        return {
            ok: false,
            note: `a keyless bundle (${signerOf(bundle)}); no trusted-root and certificate-identity to check it with`,
        };
    try {
        verifyKeyless(bundle, keyless, artifact);
    }
    catch (error) {
        return {
            ok: false,
            note: `a keyless bundle (${signerOf(bundle)}) refused: ${error.message}`,
        };
    }
    const material = bundle.verificationMaterial.content;
    const der = material.$case === 'certificate'
        ? material.certificate.rawBytes
        : material.$case === 'x509CertificateChain'
            ? material.x509CertificateChain.certificates[0]?.rawBytes
            : undefined;
    const { identity, issuer } = certificateIdentity(Buffer.from(der ?? []));
    return { ok: true, signer: `${identity} (${issuer})` };
}
function subjects(s) {
    return s.subject
        .map((x) => Object.entries(x.digest ?? {})
        .map(([a, h]) => `${a}:${h}`)
        .join(' '))
        .join(', ');
}
/**
 * Checks a bundle against the keys and the digest: signed by one of the keys (a keyless bundle
 * needs a trust root: it is reported, not accepted), and over exactly this digest (a DSSE
 * envelope's in-toto statement names it as a subject; a message signature is over the manifest,
 * `manifest`, whose digest it is).
 */
function checkBundle(bytes, digest, keys, manifest, keyless) {
    let bundle;
    try {
        bundle = parseBundle(bytes);
    }
    catch (error) {
        return { ok: false, note: `a bundle that cannot be read (${error.message})` };
    }
    const content = bundle.content;
    if (content.$case === 'messageSignature') {
        const [algorithm, hex] = digest.split(':');
        const signed = Buffer.from(content.messageSignature.messageDigest?.digest ?? []).toString('hex');
        if (algorithm !== 'sha256' || signed !== hex)
            return { ok: false, note: `a message-signature bundle over another digest (sha256:${signed})` };
        const by = signer(bundle, keys, keyless, manifest);
        if (!by.ok)
            return by;
        return { ok: true, content: 'message', fingerprint: by.signer };
    }
    const envelope = content.dsseEnvelope;
    const by = signer(bundle, keys, keyless, undefined);
    if (!by.ok)
        return by;
    const name = bundle_short(by.signer);
    if (envelope.payloadType !== formats_IN_TOTO_PAYLOAD_TYPE)
        return { ok: false, note: `a bundle by ${name} with payload type ${envelope.payloadType}` };
    let statement;
    try {
        statement = parseStatement(envelope.payload);
    }
    catch (error) {
        return { ok: false, note: `a bundle by ${name} whose payload is ${error.message}` };
    }
    if (!statementCovers(statement, digest))
        return {
            ok: false,
            note: `a bundle (${statement.predicateType}) by ${name} for another digest (${subjects(statement)})`,
        };
    return { ok: true, content: 'dsse', fingerprint: by.signer, statement };
}
/** The signed annotations of the statement's subject naming `digest` (cosign's `-a`). */
function subjectAnnotations(statement, digest) {
    const [algorithm, hex] = digest.split(':');
    const subject = statement.subject.find((s) => s.digest?.[algorithm] === hex);
    return subject?.annotations && typeof subject.annotations === 'object' ? subject.annotations : {};
}

// EXTERNAL MODULE: ./src/registry/referrers.ts
var registry_referrers = __webpack_require__(9191);
// EXTERNAL MODULE: ./src/registry/blobs.ts + 2 modules
var blobs = __webpack_require__(5803);
// EXTERNAL MODULE: ./src/registry/http.ts + 1 modules
var http = __webpack_require__(2785);
;// CONCATENATED MODULE: ./src/supply-chain/store.ts
/**
 * Where signatures and attestations live. Legacy (cosign v1/v2): cosign's tag scheme. The signatures of the image
 * <repo>@sha256:<hex> are the layers of the manifest tagged <repo>:sha256-<hex>.sig, its
 * attestations those of <repo>:sha256-<hex>.att. Adding one appends a layer to the manifest there
 * (other signers' signatures are kept); the blobs are verified against their digests when read.
 * Bundles (cosign v3): Sigstore bundles in OCI referrers of the digest (bundle.ts, readBundles).
 */






const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
const MAX_LAYER_BYTES = 8 * 1024 * 1024;
/** sha256:<hex> → sha256-<hex>.sig (or .att). */
function artifactTag(digest, kind) {
    return (0,registry_referrers/* cosignTag */.qv)(digest, kind);
}
/** The layers stored for a digest ([] when nothing is). */
async function readLayers(client, repository, digest, kind) {
    const tag = artifactTag(digest, kind);
    if (!(await client.headManifest(repository, tag)))
        return [];
    const manifest = await client.getManifest(repository, tag);
    const parsed = JSON.parse(manifest.bytes.toString('utf8'));
    return Array.isArray(parsed.layers) ? [...parsed.layers] : [];
}
/** A layer's bytes, checked against its digest. */
async function readLayer(client, repository, layer) {
    if (layer.size > MAX_LAYER_BYTES)
        throw new Error(`layer ${layer.digest} is too large (${layer.size} bytes)`);
    const bytes = await (0,http/* readBody */.x8)(await (0,blobs/* openBlob */.Ym)(client, repository, layer.digest), MAX_LAYER_BYTES);
    const actual = `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
    if (actual !== layer.digest)
        throw new Error(`layer ${layer.digest} hashed to ${actual}`);
    return bytes;
}
/** The image config cosign writes for its signature images: one diff id (and history entry) per layer. */
function configFor(layers) {
    return Buffer.from(JSON.stringify({
        architecture: '',
        created: '0001-01-01T00:00:00Z',
        history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
        os: '',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        config: {},
    }));
}
/**
 * Adds a layer to the .sig/.att manifest of `digest` (created when there is none), keeping the
 * layers already there. Returns the reference it is stored under (repo:sha256-<hex>.sig).
 */
async function store_appendLayer(client, repository, digest, kind, layer) {
    const existing = await readLayers(client, repository, digest, kind);
    const blob = await putBlobBytes(client, repository, layer.bytes);
    const layers = [
        ...existing,
        { mediaType: layer.mediaType, size: blob.size, digest: blob.digest, annotations: layer.annotations },
    ];
    const config = await putBlobBytes(client, repository, configFor(layers));
    const manifest = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: CONFIG_MEDIA_TYPE, size: config.size, digest: config.digest },
        layers,
    };
    const tag = artifactTag(digest, kind);
    await client.putManifest(repository, tag, {
        bytes: Buffer.from(JSON.stringify(manifest)),
        mediaType: MEDIA_TYPES.ociManifest,
    });
    return `${client.registry}/${repository}:${tag}`;
}
/**
 * The Sigstore bundles referring to `digest`: the referrers API's list (every page) or, on a
 * registry without it, the fallback tag `sha256-<hex>`; each referrer manifest read and its bundle
 * layers fetched. Referrers listed without an artifact type (or as the empty config) are read to
 * be sure; Slipway's promotion records and other artifacts are skipped.
 */
async function readBundles(client, repository, digest) {
    const { entries, found } = await (0,registry_referrers/* findReferrers */.SX)(client, repository, digest);
    const candidates = entries.filter((e) => !e.artifactType || isBundleMediaType(e.artifactType) || e.artifactType === EMPTY_CONFIG.mediaType);
    const bundles = [];
    const elsewhere = [];
    for (const entry of candidates) {
        const manifest = await (0,registry_referrers/* getManifestIfAny */.xy)(client, repository, entry.digest);
        if (!manifest)
            continue;
        let parsed;
        try {
            parsed = JSON.parse(manifest.bytes.toString('utf8'));
        }
        catch {
            continue;
        }
        const layers = (Array.isArray(parsed.layers) ? parsed.layers : []).filter((l) => isBundleMediaType(l?.mediaType));
        if (layers.length === 0)
            continue;
        if (parsed.subject?.digest !== digest) {
            elsewhere.push(`${entry.digest} (subject ${parsed.subject?.digest ?? 'none'})`);
            continue;
        }
        const predicateType = parsed.annotations?.[BUNDLE_ANNOTATIONS.predicateType];
        for (const layer of layers) {
            try {
                bundles.push({
                    referrer: entry.digest,
                    bytes: await readLayer(client, repository, layer),
                    ...(predicateType && { predicateType }),
                });
            }
            catch (error) {
                bundles.push({ referrer: entry.digest, error: error.message });
            }
        }
    }
    return { bundles, elsewhere, through: found };
}

;// CONCATENATED MODULE: ./src/supply-chain/verify.ts





function predicateTypeOf(name) {
    return PREDICATE_ALIASES[name] ?? name;
}
function predicateName(type) {
    return Object.entries(PREDICATE_ALIASES).find(([, uri]) => uri === type)?.[0] ?? type;
}
/** A test result as status and summaries print it: "PASSED (12 passed, 0 failed) <url>". */
function describeTests(t) {
    return `${t.result} (${t.passed} passed, ${t.failed} failed)${t.url ? ` ${t.url}` : ''}`;
}
function verify_short(fingerprint) {
    return fingerprint.slice(0, 19);
}
function keyOf(keys, data, signature) {
    return keys.find((k) => verifyBytes(k.publicKey, data, signature));
}
async function checkSignatures(client, repository, digest, keys, layers, notes) {
    const found = [];
    for (const layer of layers) {
        if (layer.mediaType !== formats_SIMPLE_SIGNING_MEDIA_TYPE)
            continue;
        const signature = Buffer.from(layer.annotations?.[formats_SIGNATURE_ANNOTATION] ?? '', 'base64');
        let payload;
        try {
            payload = await readLayer(client, repository, layer);
        }
        catch (error) {
            notes.push(`a signature layer cannot be read (${error.message})`);
            continue;
        }
        const key = keyOf(keys, payload, signature);
        if (!key) {
            notes.push('a signature by another key (or over other bytes)');
            continue;
        }
        try {
            const parsed = parseSimpleSigningPayload(payload);
            const signed = parsed.critical.image['docker-manifest-digest'];
            if (signed !== digest) {
                notes.push(`a signature by ${verify_short(key.fingerprint)} for another digest (${signed})`);
                continue;
            }
            const optional = parsed.optional ?? {};
            const signedAt = optional[formats_SIGNED_AT];
            const runUrl = optional[formats_SIGNED_RUN];
            found.push({
                fingerprint: key.fingerprint,
                format: 'legacy',
                location: `${client.registry}/${repository}:${artifactTag(digest, 'sig')}`,
                ...(typeof signedAt === 'string' && { signedAt }),
                ...(typeof runUrl === 'string' && { runUrl }),
            });
        }
        catch (error) {
            notes.push(`a signature by ${verify_short(key.fingerprint)} over a payload that is not cosign's (${error.message})`);
        }
    }
    return found;
}
async function checkAttestations(client, repository, digest, keys, layers, notes) {
    const found = [];
    for (const layer of layers) {
        if (layer.mediaType !== formats_DSSE_MEDIA_TYPE)
            continue;
        const what = `an attestation${layer.annotations?.predicateType ? ` (${predicateName(layer.annotations.predicateType)})` : ''}`;
        try {
            const envelope = parseDsseEnvelope(await readLayer(client, repository, layer));
            if (envelope.payloadType !== formats_IN_TOTO_PAYLOAD_TYPE) {
                notes.push(`${what} with payload type ${envelope.payloadType}`);
                continue;
            }
            const payload = Buffer.from(envelope.payload, 'base64');
            const signed = formats_pae(envelope.payloadType, payload);
            const key = keys.find((k) => envelope.signatures.some((s) => verifyBytes(k.publicKey, signed, Buffer.from(s.sig, 'base64'))));
            if (!key) {
                notes.push(`${what} not signed by the key (another key, or altered after signing)`);
                continue;
            }
            const s = parseStatement(payload);
            if (!statementCovers(s, digest)) {
                notes.push(`${what} signed by ${verify_short(key.fingerprint)} for another digest (${s.subject.map((x) => Object.entries(x.digest ?? {}).map(([a, h]) => `${a}:${h}`)).join(', ')})`);
                continue;
            }
            found.push({
                predicateType: s.predicateType,
                fingerprint: key.fingerprint,
                predicate: s.predicate,
                format: 'legacy',
                location: `${client.registry}/${repository}:${artifactTag(digest, 'att')}`,
            });
        }
        catch (error) {
            notes.push(`${what} that cannot be read (${error.message})`);
        }
    }
    return found;
}
/** A test-result predicate counts only when its result is PASSED and it lists no failed test. */
function testEvidence(predicate) {
    const p = (predicate ?? {});
    const command = testCommandOf(p);
    return {
        result: typeof p.result === 'string' ? p.result : 'unknown',
        passed: Array.isArray(p.passedTests) ? p.passedTests.length : 0,
        failed: Array.isArray(p.failedTests) ? p.failedTests.length : 0,
        ...(typeof p.url === 'string' && p.url && { url: p.url }),
        ...(command && { command }),
    };
}
function accepted(attestation) {
    if (attestation.predicateType !== formats_TEST_RESULT_PREDICATE)
        return true;
    const evidence = testEvidence(attestation.predicate);
    return evidence.result === 'PASSED' && evidence.failed === 0;
}
/** The bundles of a digest sorted into signatures and attestations, and what did not count. */
async function checkBundles(client, repository, digest, policy, found, notes) {
    const signatures = [];
    const attestations = [];
    let manifest;
    for (const stored of found.bundles) {
        const location = `${client.registry}/${repository}@${stored.referrer}`;
        const hinted = stored.predicateType && stored.predicateType !== bundle_COSIGN_SIGN_PREDICATE;
        const where = hinted ? notes.att : notes.sig;
        if (!stored.bytes) {
            where.push(`a bundle at ${stored.referrer} that cannot be read (${stored.error ?? 'no bytes'})`);
            continue;
        }
        // A message signature is over the manifest's own bytes: read once, only when one is there.
        if (!manifest && /"messageSignature"/.test(stored.bytes.toString('utf8')))
            manifest = (await client.getManifest(repository, digest)).bytes;
        const check = checkBundle(stored.bytes, digest, policy.keys, manifest, policy.keyless);
        if (!check.ok) {
            where.push(`${check.note} at ${stored.referrer}`);
            if (/for another digest|over another digest/.test(check.note))
                notes.ignored.push(`${location}: ${check.note}`);
            continue;
        }
        if (check.content === 'message') {
            signatures.push({ fingerprint: check.fingerprint, format: 'bundle', location });
            continue;
        }
        const s = check.statement;
        if (s.predicateType === bundle_COSIGN_SIGN_PREDICATE) {
            const annotations = subjectAnnotations(s, digest);
            const signedAt = annotations[formats_SIGNED_AT];
            const runUrl = annotations[formats_SIGNED_RUN];
            signatures.push({
                fingerprint: check.fingerprint,
                format: 'bundle',
                location,
                ...(typeof signedAt === 'string' && { signedAt }),
                ...(typeof runUrl === 'string' && { runUrl }),
            });
        }
        else {
            attestations.push({
                predicateType: s.predicateType,
                fingerprint: check.fingerprint,
                predicate: s.predicate,
                format: 'bundle',
                location,
            });
        }
    }
    for (const e of found.elsewhere) {
        notes.ignored.push(`${client.registry}/${repository}@${e}: a bundle referrer of another digest`);
    }
    return { signatures, attestations };
}
/** What was looked at, for a refusal: the legacy tag and the referrers (API or fallback tag). */
function lookedAt(digest, kind, found) {
    const referrers = found.through === 'referrers-api' ? 'the referrers API' : `the fallback tag ${(0,registry_referrers/* fallbackTag */.fH)(digest)}`;
    return `nothing at ${artifactTag(digest, kind)}, no Sigstore bundle${kind === 'att' ? ' attestation' : ''} in ${referrers}`;
}
/**
 * Verifies repository@digest against the policy, reading both formats: the legacy tags
 * (sha256-<hex>.sig/.att) and Sigstore bundles among its referrers, with the same rules. Never
 * throws for what it finds, only for registry errors.
 */
async function verify_verifyDigest(client, repository, digest, policy) {
    const image = `${client.registry}/${repository}`;
    const problems = [];
    const notes = { sig: [], att: [], ignored: [] };
    const needAttestations = policy.attestations.length > 0;
    const [sigLayers, attLayers, found] = await Promise.all([
        readLayers(client, repository, digest, 'sig'),
        needAttestations ? readLayers(client, repository, digest, 'att') : Promise.resolve([]),
        readBundles(client, repository, digest),
    ]);
    const legacySignatures = await checkSignatures(client, repository, digest, policy.keys, sigLayers, notes.sig);
    const fromBundles = await checkBundles(client, repository, digest, policy, found, notes);
    const signatures = [...legacySignatures, ...fromBundles.signatures];
    const fingerprints = [
        ...(policy.keys.length > 0
            ? [`verify-key ${policy.keys.map((k) => verify_short(k.fingerprint)).join(', ')}`]
            : []),
        ...(policy.keyless ? [describeKeyless(policy.keyless)] : []),
    ].join(' or ');
    if (signatures.length === 0)
        problems.push(sigLayers.length === 0 && notes.sig.length === 0
            ? `no signature (${lookedAt(digest, 'sig', found)})`
            : `no valid signature by ${fingerprints} (found ${notes.sig.join('; ') || 'none'})`);
    const legacyAttestations = needAttestations
        ? await checkAttestations(client, repository, digest, policy.keys, attLayers, notes.att)
        : [];
    const attestations = [...legacyAttestations, ...(needAttestations ? fromBundles.attestations : [])];
    let tests;
    for (const type of policy.attestations) {
        const ofType = attestations.filter((a) => a.predicateType === type);
        const good = ofType.filter(accepted);
        if (type === formats_TEST_RESULT_PREDICATE) {
            const counted = good[good.length - 1] ?? ofType[ofType.length - 1];
            if (counted)
                tests = testEvidence(counted.predicate);
        }
        if (good.length > 0)
            continue;
        const name = predicateName(type);
        if (ofType.length > 0) {
            const e = testEvidence(ofType[ofType.length - 1]?.predicate);
            problems.push(`no passing ${name} attestation: the signed one says ${e.result} (${e.passed} passed, ${e.failed} failed${e.url ? `, ${e.url}` : ''})`);
        }
        else if (attLayers.length === 0 && notes.att.length === 0) {
            problems.push(`no ${name} attestation (${lookedAt(digest, 'att', found)})`);
        }
        else {
            problems.push(`no valid ${name} attestation by ${fingerprints}${notes.att.length > 0 ? ` (found ${notes.att.join('; ')})` : ''}`);
        }
    }
    return {
        image,
        digest,
        ok: problems.length === 0,
        signatures,
        attestations,
        problems,
        ignored: notes.ignored,
        ...(tests && { tests }),
    };
}
/** One line for an error: the digest and what is missing. */
function verify_refusal(v) {
    return `${v.image}@${v.digest}${forHosts(v)} is not verified: ${v.problems.join('; ')}`;
}
/** " (the linux/amd64 image, run by deploy@a:22, deploy@b:22)" for a platform image verified for hosts. */
function forHosts(v) {
    if (!v.platform)
        return '';
    return ` (the ${v.platform} image${v.hosts?.length ? `, run by ${v.hosts.join(', ')}` : ''})`;
}
class VerificationError extends Error {
    verifications;
    constructor(verifications) {
        super(`${verifications
            .filter((v) => !v.ok)
            .map(verify_refusal)
            .join('\n')}\nnothing was changed`);
        this.name = 'VerificationError';
        this.verifications = verifications;
    }
}

;// CONCATENATED MODULE: ./src/supply-chain/inputs.ts
/** The signing and verification inputs, shared by push, the root action, promote, deploy and the CLI. */






const TRUSTED_ROOT_MEDIA_PREFIX = 'application/vnd.dev.sigstore.trustedroot';
/** `sign-key` (+ `sign-key-password`), opened before anything runs; undefined when not signing. */
function inputs_readSigningKey(inputs) {
    const text = inputs.string('sign-key');
    const password = inputs.string('sign-key-password');
    if (!text) {
        if (password)
            throw new InputError('sign-key', 'is required when sign-key-password is given');
        return undefined;
    }
    try {
        return parsePrivateKey(text, password);
    }
    catch (error) {
        if (error instanceof KeyError)
            throw new InputError(/password/.test(error.message) ? 'sign-key-password' : 'sign-key', error.message);
        throw error;
    }
}
/**
 * `signature-format`: bundle (the default, as cosign v3: Sigstore bundles as OCI referrers) or
 * legacy (cosign v1/v2's sha256-<hex>.sig/.att tags, for verifiers that read only those).
 */
function inputs_readSignatureFormat(inputs) {
    const value = inputs.line('signature-format') || 'bundle';
    if (value !== 'bundle' && value !== 'legacy')
        throw new InputError('signature-format', `${JSON.stringify(value)} is not known: bundle (cosign v3's Sigstore bundles) or legacy (cosign v2's .sig/.att tags)`);
    return value;
}
/**
 * The keyless half of the policy: `trusted-root` (a Sigstore trusted_root.json: the certificate
 * authorities, transparency logs and CT logs to trust), `certificate-identity` (or
 * `certificate-identity-regexp`) and `certificate-oidc-issuer`, as cosign names them, and
 * `require-transparency-log`. Undefined when none is given.
 */
function readKeylessPolicy(inputs) {
    const root = inputs.string('trusted-root');
    const identity = inputs.line('certificate-identity');
    const pattern = inputs.line('certificate-identity-regexp');
    const issuer = inputs.line('certificate-oidc-issuer');
    if (!root) {
        if (identity || pattern || issuer)
            throw new common_inputs/* InputError */.dz('trusted-root', 'is required with certificate-identity and certificate-oidc-issuer (the trust root their certificates must chain to)');
        return undefined;
    }
    if (identity && pattern)
        throw new common_inputs/* InputError */.dz('certificate-identity', 'give it or certificate-identity-regexp, not both');
    if (!identity && !pattern)
        throw new common_inputs/* InputError */.dz('certificate-identity', 'is required with trusted-root (or certificate-identity-regexp): whose certificates count, e.g. https://github.com/<org>/<repo>/.github/workflows/<file>@refs/heads/main');
    if (!issuer)
        throw new common_inputs/* InputError */.dz('certificate-oidc-issuer', 'is required with trusted-root, e.g. https://token.actions.githubusercontent.com');
    let regexp;
    if (pattern) {
        try {
            regexp = new RegExp(pattern);
        }
        catch (error) {
            throw new common_inputs/* InputError */.dz('certificate-identity-regexp', error.message);
        }
    }
    let trustMaterial;
    try {
        const json = JSON.parse(root);
        if (typeof json?.mediaType !== 'string' || !json.mediaType.startsWith(TRUSTED_ROOT_MEDIA_PREFIX))
            throw new Error(`its mediaType is ${JSON.stringify(json?.mediaType)}`);
        trustMaterial = (0,verify_dist/* toTrustMaterial */.jO)(protobuf_specs_dist.TrustedRoot.fromJSON(json));
    }
    catch (error) {
        throw new common_inputs/* InputError */.dz('trusted-root', `is not a Sigstore trusted_root.json (${error.message}); give the file's content`);
    }
    return {
        trustMaterial,
        identity: regexp ?? identity,
        issuer,
        requireLog: inputs.boolean('require-transparency-log', true),
    };
}
/**
 * `verify-key` and/or the keyless policy, and `require-attestations`; undefined when neither a
 * key nor a trust root is given (nothing is verified).
 */
function inputs_readVerifyPolicy(inputs) {
    const text = inputs.string('verify-key');
    const attestations = inputs.list('require-attestations', { commas: true }).map(predicateTypeOf);
    for (const type of attestations) {
        if (!/^https?:\/\/\S+$/.test(type))
            throw new common_inputs/* InputError */.dz('require-attestations', `${JSON.stringify(type)} is not known: test-result, or a predicate type URI`);
    }
    const keyless = readKeylessPolicy(inputs);
    if (!text && !keyless) {
        if (attestations.length > 0)
            throw new common_inputs/* InputError */.dz('verify-key', 'is required with require-attestations (the key they must be signed with), or trusted-root with certificate-identity');
        return undefined;
    }
    try {
        return {
            keys: text ? parsePublicKeys(text) : [],
            attestations,
            ...(keyless && { keyless }),
        };
    }
    catch (error) {
        if (error instanceof keys_KeyError)
            throw new common_inputs/* InputError */.dz('verify-key', error.message);
        throw error;
    }
}
function inputs_readTestReportInputs(inputs) {
    const report = inputs.line('test-report');
    const code = inputs.line('test-exit-code');
    const command = inputs.string('test-command');
    if (!report && !code)
        return undefined;
    if (report && !existsSync(report))
        throw new InputError('test-report', `${JSON.stringify(report)} does not exist`);
    let exitCode;
    if (code) {
        if (!/^\d{1,3}$/.test(code))
            throw new InputError('test-exit-code', `${JSON.stringify(code)} is not an exit code`);
        exitCode = Number(code);
    }
    return {
        ...(report && { report }),
        ...(exitCode !== undefined && { exitCode }),
        ...(command && { command }),
    };
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ./src/promote-between-registries/referrers.ts
var referrers = __webpack_require__(7827);
// EXTERNAL MODULE: ./src/supply-chain/promotion.ts
var promotion = __webpack_require__(558);
;// CONCATENATED MODULE: ./src/supply-chain/sign.ts
/**
 * Signing a pushed digest and attesting its test results, stored where cosign looks: by default
 * as cosign v3 does (Sigstore bundles as OCI referrers, bundle.ts), or in the legacy tags
 * sha256-<hex>.sig/.att of cosign v1/v2 (store.ts) for verifiers that read only those.
 * A rerun converges: a digest this key already signed is not signed again, and an attestation with
 * the same predicate by the same key is not added twice.
 */









const keysOf = (key) => [{ publicKey: key.publicKey, fingerprint: key.fingerprint, pem: '' }];
/**
 * Stores a bundle (JSON bytes) as cosign v3 does: the bundle blob, the empty config, and a
 * referrer manifest whose subject is the image, put by digest; a registry without the referrers
 * API gets it in the fallback tag sha256-<hex>, merged with what is there. Returns its reference.
 */
async function putBundle(client, repository, digest, bundle, predicateType, created) {
    const subject = await client.getManifest(repository, digest);
    const blob = await putBlobBytes(client, repository, bundle);
    await putBlobBytes(client, repository, EMPTY_JSON);
    const manifest = bundleReferrer(subject, blob, predicateType, created);
    await putManifestKeepingSubject(client, repository, manifest);
    return `${client.registry}/${repository}@${manifest.digest}`;
}
async function sign_signDigest(client, repository, digest, key, context = {}, format = 'bundle') {
    const existing = await verifyDigest(client, repository, digest, { keys: keysOf(key), attestations: [] });
    const mine = existing.signatures.find((s) => s.format === format);
    if (mine)
        return { location: mine.location, added: false };
    const signedAt = (context.now ?? new Date()).toISOString();
    const optional = {
        [SIGNED_AT]: signedAt,
        ...(context.runUrl && { [SIGNED_RUN]: context.runUrl }),
    };
    if (format === 'bundle') {
        const bundle = dsseBundle(signStatement(digest, optional), key);
        const location = await putBundle(client, repository, digest, bundle, COSIGN_SIGN_PREDICATE, signedAt);
        return { location, added: true };
    }
    const payload = simpleSigningPayload(`${client.registry}/${repository}`, digest, optional);
    const signature = signBytes(key, payload);
    const location = await appendLayer(client, repository, digest, 'sig', {
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        bytes: payload,
        annotations: { [SIGNATURE_ANNOTATION]: signature.toString('base64') },
    });
    return { location, added: true };
}
async function sign_attestDigest(client, repository, digest, key, predicateType, predicate, format = 'bundle', context = {}) {
    const existing = await verifyDigest(client, repository, digest, {
        keys: keysOf(key),
        attestations: [predicateType],
    });
    const normalised = JSON.parse(JSON.stringify(predicate));
    const same = existing.attestations.find((a) => a.format === format && a.predicateType === predicateType && isDeepStrictEqual(a.predicate, normalised));
    if (same)
        return { location: same.location, added: false };
    const body = statement(`${client.registry}/${repository}`, digest, predicateType, predicate);
    if (format === 'bundle') {
        const created = (context.now ?? new Date()).toISOString();
        const location = await putBundle(client, repository, digest, dsseBundle(body, key), predicateType, created);
        return { location, added: true };
    }
    const envelope = dsseEnvelope(IN_TOTO_PAYLOAD_TYPE, body, signBytes(key, pae(IN_TOTO_PAYLOAD_TYPE, body)));
    const location = await appendLayer(client, repository, digest, 'att', {
        mediaType: DSSE_MEDIA_TYPE,
        bytes: envelope,
        annotations: { [SIGNATURE_ANNOTATION]: '', predicateType },
    });
    return { location, added: true };
}

;// CONCATENATED MODULE: ./src/supply-chain/operation.ts
/**
 * Signing, attesting and verifying as operations: after a push (push-registry, the root action),
 * before a promotion or a deploy changes anything, and on their own (slipway sign, attest, verify).
 */













/** Keeps the signing secrets out of every log (first thing an operation that reads them does). */
function maskSigningInputs(inputs, report) {
    report.mask(inputs.string('sign-key'));
    report.mask(inputs.string('sign-key-password'));
}
/** The test run a report (JUnit file or directory), exit code and command describe, with this run's URL. */
function testRunOf(source) {
    const junit = source.report ? summarizeJUnit(readReports(source.report)) : undefined;
    const url = runUrl(readGitContext());
    return {
        ...(source.exitCode !== undefined && { exitCode: source.exitCode }),
        passedTests: junit?.passedNames ?? [],
        failedTests: junit?.failures.map((f) => (f.classname ? `${f.classname}.${f.name}` : f.name)) ?? [],
        ...(source.command && { command: source.command }),
        ...(url && { url }),
    };
}
/** Signs repository@digest and, with a test run, attests it; returns where both are stored. */
async function signAndAttest(client, repository, digest, key, tests, report, format = 'bundle') {
    const image = `${client.registry}/${repository}`;
    const url = runUrl(readGitContext());
    const signed = await signDigest(client, repository, digest, key, { ...(url && { runUrl: url }) }, format);
    report.info(`${signed.added ? 'Signed' : 'Already signed by this key:'} ${image}@${digest} (key ${key.fingerprint.slice(0, 19)}) → ${signed.location}`);
    if (!tests)
        return { image, digest, signature: signed.location };
    const predicate = testResultPredicate(tests);
    const attested = await attestDigest(client, repository, digest, key, TEST_RESULT_PREDICATE, predicate, format);
    report.info(`${attested.added ? 'Attested' : 'Already attested:'} test result ${predicate.result} (${tests.passedTests.length} passed, ${tests.failedTests.length} failed) → ${attested.location}`);
    return {
        image,
        digest,
        signature: signed.location,
        attestation: attested.location,
        result: predicate.result,
    };
}
function signedSummary(signed, key, title = 'Signed') {
    return [
        heading(title),
        table(['Image', 'Signature', 'Test-result attestation'], signed.map((s) => [
            new Code(`${s.image}@${s.digest}`),
            new Code(s.signature),
            s.attestation ? `${s.result} — ${new Code(s.attestation).text}` : '—',
        ])),
        facts([['Key fingerprint', new Code(key.fingerprint)]]),
    ];
}
/** After a push: signs (and attests) every repository@digest pushed. */
async function signPushed(key, refs, tests, credentialsFor, report, format = 'bundle') {
    const run = tests ? testRunOf(tests) : undefined;
    if (!run)
        report.info('No test report or exit code given: the image is signed, its tests are not attested');
    const signed = [];
    for (const text of refs) {
        const ref = parseReference(text);
        const credentials = credentialsFor(ref.registry);
        const client = clientFor(ref.registry, credentials ? { credentials } : {});
        signed.push(await signAndAttest(client, ref.repository, ref.digest, key, run, report, format));
    }
    return {
        outputs: {
            signature: signed.map((s) => s.signature).join('\n'),
            attestation: signed
                .map((s) => s.attestation ?? '')
                .filter(Boolean)
                .join('\n'),
        },
        summary: signedSummary(signed, key),
    };
}
/**
 * After a multi-platform index is pushed: each platform manifest whose platform was tested gets its
 * own signature and test-result attestation (subject: that manifest's digest; result: that
 * platform's run), so a host that resolves the index to its platform finds what was tested there.
 */
async function signPlatforms(key, refs, platforms, credentialsFor, report, format = 'bundle') {
    const signed = [];
    if (platforms.length === 0)
        return signed;
    for (const text of refs) {
        const ref = parseReference(text);
        const credentials = credentialsFor(ref.registry);
        const client = clientFor(ref.registry, credentials ? { credentials } : {});
        const index = await client.getManifest(ref.repository, ref.digest);
        if (!isIndex(index))
            continue;
        for (const image of platformImages(index)) {
            const tested = platforms.find((p) => platformMatches(image.platform, p.platform));
            if (!tested) {
                report.warning(`${repositoryName(ref)}@${image.digest} (${image.platform}) was not tested: not attested`);
                continue;
            }
            report.info(`${image.platform}: ${repositoryName(ref)}@${image.digest}`);
            signed.push(await signAndAttest(client, ref.repository, image.digest, key, testRunOf(tested.tests), report, format));
        }
    }
    return signed;
}
/**
 * The images a host may run: each image, and when test results are required and it is an index,
 * each of its platform manifests too (a host's engine resolves the index to its platform's manifest,
 * whose own signature and test-result attestation must be there: an attested index is not a tested
 * arm64 image).
 */
async function withPlatformManifests(images, policy) {
    if (!policy.attestations.includes(TEST_RESULT_PREDICATE))
        return [...images];
    const expanded = [];
    for (const image of images) {
        expanded.push(image);
        const manifest = await image.client.getManifest(image.repository, image.digest);
        if (!isIndex(manifest))
            continue;
        for (const platform of platformImages(manifest))
            expanded.push({ client: image.client, repository: image.repository, digest: platform.digest });
    }
    return expanded;
}
/** Verifies every image; throws VerificationError (naming each digest and what is missing) unless all pass. */
async function verifyAll(images, policy, log) {
    const results = [];
    for (const i of images) {
        const v = await verify_verifyDigest(i.client, i.repository, i.digest, policy);
        log(v.ok ? `Verified ${describe(v)}` : verify_refusal(v));
        for (const line of v.ignored)
            log(`Ignored (names another digest) ${line}`);
        results.push(v);
    }
    if (results.some((v) => !v.ok))
        throw new VerificationError(results);
    return results;
}
/** "repo@digest: signed by … at …; tests …" of a verification that passed. */
function describe(v) {
    const signature = v.signatures[0];
    return [
        `${v.image}@${v.digest}: signed by ${signature?.fingerprint.slice(0, 19) ?? '?'} (${signature?.format === 'bundle' ? 'Sigstore bundle' : 'legacy .sig'} ${signature?.location ?? ''})`,
        signature?.signedAt ? ` at ${signature.signedAt}` : '',
        v.tests
            ? `; tests ${v.tests.result} (${v.tests.passed} passed, ${v.tests.failed} failed)${v.tests.url ? ` in ${v.tests.url}` : ''}`
            : '',
    ].join('');
}
function verificationSummary(verifications) {
    if (verifications.length === 0)
        return [];
    return [
        (0,summary/* heading */.R_)('Verified before any change'),
        (0,summary/* table */.tp)(['Image', 'Result', 'Key fingerprint', 'Signed at', 'Attestations', 'Tests', 'Test run'], verifications.map((v) => [
            new summary/* Code */.Cy(`${v.image}@${v.digest}`),
            v.ok ? 'verified' : `refused: ${v.problems.join('; ')}`,
            v.signatures[0] ? new summary/* Code */.Cy(v.signatures[0].fingerprint) : '—',
            v.signatures[0]?.signedAt ?? 'not recorded (signed without a transparency log)',
            [...new Set(v.attestations.map((a) => predicateName(a.predicateType)))].join(', ') || '—',
            v.tests ? `${v.tests.result}: ${v.tests.passed} passed, ${v.tests.failed} failed` : '—',
            v.tests?.url ?? '—',
        ])),
    ];
}
/** Registry credentials of the CLI commands: username/password for the image's registry. */
function clientOf(inputs, ref) {
    const username = inputs.line('username');
    const password = inputs.string('password');
    if (username && !password)
        throw new InputError('password', 'is required when username is given');
    return clientFor(ref.registry, username ? { credentials: { username, password } } : {});
}
async function resolveImage(inputs) {
    const text = inputs.line('image');
    if (!text)
        throw new InputError('image', 'is required (registry/repository:tag or @sha256:…)');
    let ref;
    try {
        ref = parseReference(text);
    }
    catch (error) {
        throw new InputError('image', error.message);
    }
    const client = clientOf(inputs, ref);
    const username = inputs.line('username');
    const digest = await resolveDigest(ref, username ? { credentials: { username, password: inputs.string('password') } } : {});
    if (!digest)
        throw new Error(`${formatReference(ref)} does not exist in its registry`);
    return { ref, digest, client };
}
/** slipway sign: signs an image (by tag or digest) with sign-key. */
async function runSign(inputs, report) {
    maskSigningInputs(inputs, report);
    report.mask(inputs.string('password'));
    const key = readSigningKey(inputs);
    if (!key)
        throw new InputError('sign-key', 'is required');
    const tests = readTestReportInputs(inputs);
    const format = readSignatureFormat(inputs);
    const { ref, digest, client } = await resolveImage(inputs);
    const signed = await signAndAttest(client, ref.repository, digest, key, tests && testRunOf(tests), report, format);
    return {
        outputs: { digest, signature: signed.signature, attestation: signed.attestation ?? '' },
        summary: signedSummary([signed], key),
    };
}
/** slipway attest: attests an image's test results (test-report, test-exit-code, test-command). */
async function runAttest(inputs, report) {
    maskSigningInputs(inputs, report);
    report.mask(inputs.string('password'));
    const key = readSigningKey(inputs);
    if (!key)
        throw new InputError('sign-key', 'is required');
    const tests = readTestReportInputs(inputs);
    if (!tests)
        throw new InputError('test-report', 'is required (or test-exit-code): the test results to attest');
    const format = readSignatureFormat(inputs);
    const { ref, digest, client } = await resolveImage(inputs);
    const run = testRunOf(tests);
    const predicate = testResultPredicate(run);
    const attested = await attestDigest(client, ref.repository, digest, key, TEST_RESULT_PREDICATE, predicate, format);
    report.info(`${attested.added ? 'Attested' : 'Already attested:'} ${predicate.result} → ${attested.location}`);
    return {
        outputs: { digest, attestation: attested.location, result: predicate.result },
        summary: [
            heading('Attested'),
            facts([
                ['Image', new Code(`${repositoryName(ref)}@${digest}`)],
                ['Result', `${predicate.result}: ${run.passedTests.length} passed, ${run.failedTests.length} failed`],
                ['Stored at', new Code(attested.location)],
                ['Key fingerprint', new Code(key.fingerprint)],
            ]),
        ],
    };
}
/** slipway verify IMAGE: the image's signature and required attestations, by verify-key. */
async function runVerify(inputs, report) {
    report.mask(inputs.string('password'));
    const policy = readVerifyPolicy(inputs);
    if (!policy)
        throw new InputError('verify-key', 'is required');
    const { ref, digest, client } = await resolveImage(inputs);
    const v = await verifyDigest(client, ref.repository, digest, policy);
    report.info(v.ok ? `Verified ${describe(v)}` : refusal(v));
    for (const line of v.ignored)
        report.warning(`Ignored (names another digest) ${line}`);
    return {
        outputs: {
            digest,
            verified: String(v.ok),
            verification: JSON.stringify(v),
        },
        summary: verificationSummary([v]),
        ...(!v.ok && { error: refusal(v) }),
    };
}

// EXTERNAL MODULE: ./src/promote-between-registries/inputs.ts
var inputs = __webpack_require__(2146);
;// CONCATENATED MODULE: ./src/promote-between-registries/verify.ts
/**
 * Before a promotion copies anything: every source digest must carry a signature by verify-key and
 * the required attestations. The verified digest becomes the pair's expected digest, so a tag moved
 * after the check is refused by the copy instead of promoting something unverified.
 * Loaded only when verify-key or require-attestations is given (operation.ts): everything the
 * promotion needs from the signature code comes through here.
 */






async function verifyPromotion(request, policy, log, signal) {
    const clients = (0,inputs/* clientsFor */.US)(request, signal);
    const digests = new Map();
    const images = [];
    for (const pair of request.pairs) {
        const key = (0,reference/* formatReference */.FH)(pair.source) + (pair.expectedDigest ?? '');
        if (digests.has(key))
            continue;
        const client = clients.source(pair.source.registry);
        const digest = pair.expectedDigest ??
            pair.source.digest ??
            (await client.headManifest(pair.source.repository, pair.source.tag ?? 'latest'))?.digest;
        if (!digest)
            throw new Error(`${(0,reference/* formatReference */.FH)(pair.source)} does not exist: nothing was copied`);
        digests.set(key, digest);
        images.push({ client, repository: pair.source.repository, digest });
    }
    const verified = await verifyAll(images, policy, log);
    const pairs = request.pairs.map((pair) => ({
        ...pair,
        expectedDigest: digests.get((0,reference/* formatReference */.FH)(pair.source) + (pair.expectedDigest ?? '')),
    }));
    return { request: { ...request, pairs }, verified };
}


/***/ })

};
;