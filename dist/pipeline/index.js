/******/ (() => { // webpackBootstrap
/******/ 	var __webpack_modules__ = ({

/***/ 8456:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.toMessageSignatureBundle = toMessageSignatureBundle;
exports.toDSSEBundle = toDSSEBundle;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const protobuf_specs_1 = __nccwpck_require__(9654);
const bundle_1 = __nccwpck_require__(7742);
// Message signature bundle - $case: 'messageSignature'
function toMessageSignatureBundle(options) {
    return {
        mediaType: options.certificateChain
            ? bundle_1.BUNDLE_V02_MEDIA_TYPE
            : bundle_1.BUNDLE_V03_MEDIA_TYPE,
        content: {
            $case: 'messageSignature',
            messageSignature: {
                messageDigest: {
                    algorithm: protobuf_specs_1.HashAlgorithm.SHA2_256,
                    digest: options.digest,
                },
                signature: options.signature,
            },
        },
        verificationMaterial: toVerificationMaterial(options),
    };
}
// DSSE envelope bundle - $case: 'dsseEnvelope'
function toDSSEBundle(options) {
    return {
        mediaType: options.certificateChain
            ? bundle_1.BUNDLE_V02_MEDIA_TYPE
            : bundle_1.BUNDLE_V03_MEDIA_TYPE,
        content: {
            $case: 'dsseEnvelope',
            dsseEnvelope: toEnvelope(options),
        },
        verificationMaterial: toVerificationMaterial(options),
    };
}
function toEnvelope(options) {
    return {
        payloadType: options.artifactType,
        payload: options.artifact,
        signatures: [toSignature(options)],
    };
}
function toSignature(options) {
    return {
        keyid: options.keyHint || '',
        sig: options.signature,
    };
}
// Verification material
function toVerificationMaterial(options) {
    return {
        content: toKeyContent(options),
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [] },
    };
}
function toKeyContent(options) {
    if (options.certificate) {
        if (options.certificateChain) {
            return {
                $case: 'x509CertificateChain',
                x509CertificateChain: {
                    certificates: [{ rawBytes: options.certificate }],
                },
            };
        }
        else {
            return {
                $case: 'certificate',
                certificate: { rawBytes: options.certificate },
            };
        }
    }
    else {
        return {
            $case: 'publicKey',
            publicKey: {
                hint: options.keyHint || '',
            },
        };
    }
}


/***/ }),

/***/ 7742:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.BUNDLE_V03_MEDIA_TYPE = exports.BUNDLE_V03_LEGACY_MEDIA_TYPE = exports.BUNDLE_V02_MEDIA_TYPE = exports.BUNDLE_V01_MEDIA_TYPE = void 0;
exports.isBundleWithCertificateChain = isBundleWithCertificateChain;
exports.isBundleWithPublicKey = isBundleWithPublicKey;
exports.isBundleWithMessageSignature = isBundleWithMessageSignature;
exports.isBundleWithDsseEnvelope = isBundleWithDsseEnvelope;
exports.BUNDLE_V01_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
exports.BUNDLE_V02_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
exports.BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
exports.BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
// Type guards for bundle variants.
function isBundleWithCertificateChain(b) {
    return b.verificationMaterial.content.$case === 'x509CertificateChain';
}
function isBundleWithPublicKey(b) {
    return b.verificationMaterial.content.$case === 'publicKey';
}
function isBundleWithMessageSignature(b) {
    return b.content.$case === 'messageSignature';
}
function isBundleWithDsseEnvelope(b) {
    return b.content.$case === 'dsseEnvelope';
}


/***/ }),

/***/ 7714:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ValidationError = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
class ValidationError extends Error {
    fields;
    constructor(message, fields) {
        super(message);
        this.fields = fields;
    }
}
exports.ValidationError = ValidationError;


/***/ }),

/***/ 1040:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";
var __webpack_unused_export__;

__webpack_unused_export__ = ({ value: true });
__webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = exports.DU = __webpack_unused_export__ = __webpack_unused_export__ = exports.ev = exports.vw = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = exports.HM = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = exports.PR = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
var build_1 = __nccwpck_require__(8456);
Object.defineProperty(exports, "PR", ({ enumerable: true, get: function () { return build_1.toDSSEBundle; } }));
__webpack_unused_export__ = ({ enumerable: true, get: function () { return build_1.toMessageSignatureBundle; } });
var bundle_1 = __nccwpck_require__(7742);
__webpack_unused_export__ = ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V01_MEDIA_TYPE; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V02_MEDIA_TYPE; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V03_LEGACY_MEDIA_TYPE; } });
Object.defineProperty(exports, "HM", ({ enumerable: true, get: function () { return bundle_1.BUNDLE_V03_MEDIA_TYPE; } }));
__webpack_unused_export__ = ({ enumerable: true, get: function () { return bundle_1.isBundleWithCertificateChain; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return bundle_1.isBundleWithDsseEnvelope; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return bundle_1.isBundleWithMessageSignature; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return bundle_1.isBundleWithPublicKey; } });
var error_1 = __nccwpck_require__(7714);
__webpack_unused_export__ = ({ enumerable: true, get: function () { return error_1.ValidationError; } });
var serialized_1 = __nccwpck_require__(3404);
Object.defineProperty(exports, "vw", ({ enumerable: true, get: function () { return serialized_1.bundleFromJSON; } }));
Object.defineProperty(exports, "ev", ({ enumerable: true, get: function () { return serialized_1.bundleToJSON; } }));
__webpack_unused_export__ = ({ enumerable: true, get: function () { return serialized_1.envelopeFromJSON; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return serialized_1.envelopeToJSON; } });
var validate_1 = __nccwpck_require__(9352);
Object.defineProperty(exports, "DU", ({ enumerable: true, get: function () { return validate_1.assertBundle; } }));
__webpack_unused_export__ = ({ enumerable: true, get: function () { return validate_1.assertBundleLatest; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return validate_1.assertBundleV01; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return validate_1.assertBundleV02; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return validate_1.isBundleV01; } });


/***/ }),

/***/ 3404:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.envelopeToJSON = exports.envelopeFromJSON = exports.bundleToJSON = exports.bundleFromJSON = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const protobuf_specs_1 = __nccwpck_require__(9654);
const bundle_1 = __nccwpck_require__(7742);
const validate_1 = __nccwpck_require__(9352);
const bundleFromJSON = (obj) => {
    const bundle = protobuf_specs_1.Bundle.fromJSON(obj);
    switch (bundle.mediaType) {
        case bundle_1.BUNDLE_V01_MEDIA_TYPE:
            (0, validate_1.assertBundleV01)(bundle);
            break;
        case bundle_1.BUNDLE_V02_MEDIA_TYPE:
            (0, validate_1.assertBundleV02)(bundle);
            break;
        default:
            (0, validate_1.assertBundleLatest)(bundle);
            break;
    }
    return bundle;
};
exports.bundleFromJSON = bundleFromJSON;
const bundleToJSON = (bundle) => {
    return protobuf_specs_1.Bundle.toJSON(bundle);
};
exports.bundleToJSON = bundleToJSON;
const envelopeFromJSON = (obj) => {
    return protobuf_specs_1.Envelope.fromJSON(obj);
};
exports.envelopeFromJSON = envelopeFromJSON;
const envelopeToJSON = (envelope) => {
    return protobuf_specs_1.Envelope.toJSON(envelope);
};
exports.envelopeToJSON = envelopeToJSON;


/***/ }),

/***/ 9352:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.assertBundle = assertBundle;
exports.assertBundleV01 = assertBundleV01;
exports.isBundleV01 = isBundleV01;
exports.assertBundleV02 = assertBundleV02;
exports.assertBundleLatest = assertBundleLatest;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const error_1 = __nccwpck_require__(7714);
// Performs basic validation of a Sigstore bundle to ensure that all required
// fields are populated. This is not a complete validation of the bundle, but
// rather a check that the bundle is in a valid state to be processed by the
// rest of the code.
function assertBundle(b) {
    const invalidValues = validateBundleBase(b);
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid bundle', invalidValues);
    }
}
// Asserts that the given bundle conforms to the v0.1 bundle format.
function assertBundleV01(b) {
    const invalidValues = [];
    invalidValues.push(...validateBundleBase(b));
    invalidValues.push(...validateInclusionPromise(b));
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid v0.1 bundle', invalidValues);
    }
}
// Type guard to determine if Bundle is a v0.1 bundle.
function isBundleV01(b) {
    try {
        assertBundleV01(b);
        return true;
    }
    catch (e) {
        return false;
    }
}
// Asserts that the given bundle conforms to the v0.2 bundle format.
function assertBundleV02(b) {
    const invalidValues = [];
    invalidValues.push(...validateBundleBase(b));
    invalidValues.push(...validateInclusionProof(b));
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid v0.2 bundle', invalidValues);
    }
}
// Asserts that the given bundle conforms to the newest (0.3) bundle format.
function assertBundleLatest(b) {
    const invalidValues = [];
    invalidValues.push(...validateBundleBase(b));
    invalidValues.push(...validateInclusionProof(b));
    invalidValues.push(...validateNoCertificateChain(b));
    if (invalidValues.length > 0) {
        throw new error_1.ValidationError('invalid bundle', invalidValues);
    }
}
function validateBundleBase(b) {
    const invalidValues = [];
    // Media type validation
    if (b.mediaType === undefined ||
        (!b.mediaType.match(/^application\/vnd\.dev\.sigstore\.bundle\+json;version=\d\.\d/) &&
            !b.mediaType.match(/^application\/vnd\.dev\.sigstore\.bundle\.v\d\.\d\+json/))) {
        invalidValues.push('mediaType');
    }
    // Content-related validation
    if (b.content === undefined) {
        invalidValues.push('content');
    }
    else {
        switch (b.content.$case) {
            case 'messageSignature':
                if (b.content.messageSignature.messageDigest === undefined) {
                    invalidValues.push('content.messageSignature.messageDigest');
                }
                else {
                    if (b.content.messageSignature.messageDigest.digest.length === 0) {
                        invalidValues.push('content.messageSignature.messageDigest.digest');
                    }
                }
                if (b.content.messageSignature.signature.length === 0) {
                    invalidValues.push('content.messageSignature.signature');
                }
                break;
            case 'dsseEnvelope':
                if (b.content.dsseEnvelope.payload.length === 0) {
                    invalidValues.push('content.dsseEnvelope.payload');
                }
                if (b.content.dsseEnvelope.signatures.length !== 1) {
                    invalidValues.push('content.dsseEnvelope.signatures');
                }
                else {
                    if (b.content.dsseEnvelope.signatures[0].sig.length === 0) {
                        invalidValues.push('content.dsseEnvelope.signatures[0].sig');
                    }
                }
                break;
        }
    }
    // Verification material-related validation
    if (b.verificationMaterial === undefined) {
        invalidValues.push('verificationMaterial');
    }
    else {
        if (b.verificationMaterial.content === undefined) {
            invalidValues.push('verificationMaterial.content');
        }
        else {
            switch (b.verificationMaterial.content.$case) {
                case 'x509CertificateChain':
                    if (b.verificationMaterial.content.x509CertificateChain.certificates
                        .length === 0) {
                        invalidValues.push('verificationMaterial.content.x509CertificateChain.certificates');
                    }
                    b.verificationMaterial.content.x509CertificateChain.certificates.forEach((cert, i) => {
                        if (cert.rawBytes.length === 0) {
                            invalidValues.push(`verificationMaterial.content.x509CertificateChain.certificates[${i}].rawBytes`);
                        }
                    });
                    break;
                case 'certificate':
                    if (b.verificationMaterial.content.certificate.rawBytes.length === 0) {
                        invalidValues.push('verificationMaterial.content.certificate.rawBytes');
                    }
                    break;
            }
        }
        if (b.verificationMaterial.tlogEntries === undefined) {
            invalidValues.push('verificationMaterial.tlogEntries');
        }
        else {
            if (b.verificationMaterial.tlogEntries.length > 0) {
                b.verificationMaterial.tlogEntries.forEach((entry, i) => {
                    if (entry.logId === undefined) {
                        invalidValues.push(`verificationMaterial.tlogEntries[${i}].logId`);
                    }
                    if (entry.kindVersion === undefined) {
                        invalidValues.push(`verificationMaterial.tlogEntries[${i}].kindVersion`);
                    }
                });
            }
        }
    }
    return invalidValues;
}
// Necessary for V01 bundles
function validateInclusionPromise(b) {
    const invalidValues = [];
    if (b.verificationMaterial &&
        b.verificationMaterial.tlogEntries?.length > 0) {
        b.verificationMaterial.tlogEntries.forEach((entry, i) => {
            if (entry.inclusionPromise === undefined) {
                invalidValues.push(`verificationMaterial.tlogEntries[${i}].inclusionPromise`);
            }
        });
    }
    return invalidValues;
}
// Necessary for V02 and later bundles
function validateInclusionProof(b) {
    const invalidValues = [];
    if (b.verificationMaterial &&
        b.verificationMaterial.tlogEntries?.length > 0) {
        b.verificationMaterial.tlogEntries.forEach((entry, i) => {
            if (entry.inclusionProof === undefined) {
                invalidValues.push(`verificationMaterial.tlogEntries[${i}].inclusionProof`);
            }
            else {
                if (entry.inclusionProof.checkpoint === undefined) {
                    invalidValues.push(`verificationMaterial.tlogEntries[${i}].inclusionProof.checkpoint`);
                }
            }
        });
    }
    return invalidValues;
}
// Necessary for V03 and later bundles
function validateNoCertificateChain(b) {
    const invalidValues = [];
    /* istanbul ignore next */
    if (b.verificationMaterial?.content?.$case === 'x509CertificateChain') {
        invalidValues.push('verificationMaterial.content.$case');
    }
    return invalidValues;
}


/***/ }),

/***/ 1121:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ASN1TypeError = exports.ASN1ParseError = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
class ASN1ParseError extends Error {
}
exports.ASN1ParseError = ASN1ParseError;
class ASN1TypeError extends Error {
}
exports.ASN1TypeError = ASN1TypeError;


/***/ }),

/***/ 6027:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ASN1Obj = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
var obj_1 = __nccwpck_require__(990);
Object.defineProperty(exports, "ASN1Obj", ({ enumerable: true, get: function () { return obj_1.ASN1Obj; } }));


/***/ }),

/***/ 4243:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.decodeLength = decodeLength;
exports.encodeLength = encodeLength;
const error_1 = __nccwpck_require__(1121);
// Decodes the length of a DER-encoded ANS.1 element from the supplied stream.
// https://learn.microsoft.com/en-us/windows/win32/seccertenroll/about-encoded-length-and-value-bytes
function decodeLength(stream) {
    const buf = stream.getUint8();
    // If the most significant bit is UNSET the length is just the value of the
    // byte.
    if ((buf & 0x80) === 0x00) {
        return buf;
    }
    // Otherwise, the lower 7 bits of the first byte indicate the number of bytes
    // that follow to encode the length.
    const byteCount = buf & 0x7f;
    // Ensure the encoded length can safely fit in a JS number.
    if (byteCount > 6) {
        throw new error_1.ASN1ParseError('length exceeds 6 byte limit');
    }
    // Iterate over the bytes that encode the length.
    let len = 0;
    for (let i = 0; i < byteCount; i++) {
        const byte = stream.getUint8();
        // The first byte of a multi-byte length must not be zero; a leading zero
        // means the length could have been encoded in fewer bytes (non-minimal).
        if (i === 0 && byte === 0x00) {
            throw new error_1.ASN1ParseError('non-minimal length encoding');
        }
        len = len * 256 + byte;
    }
    // This is a valid ASN.1 length encoding, but we don't support it.
    if (len === 0) {
        throw new error_1.ASN1ParseError('indefinite length encoding not supported');
    }
    // Lengths less than 128 must use the short form; rejecting them here ensures
    // the encoding is minimal (strict DER).
    if (len < 128) {
        throw new error_1.ASN1ParseError('non-minimal length encoding');
    }
    return len;
}
// Translates the supplied value to a DER-encoded length.
function encodeLength(len) {
    if (len < 128) {
        return Buffer.from([len]);
    }
    // Bitwise operations on large numbers are not supported in JS, so we need to
    // use BigInts.
    let val = BigInt(len);
    const bytes = [];
    while (val > 0n) {
        bytes.unshift(Number(val & 255n));
        val = val >> 8n;
    }
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}


/***/ }),

/***/ 990:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ASN1Obj = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const stream_1 = __nccwpck_require__(1673);
const error_1 = __nccwpck_require__(1121);
const length_1 = __nccwpck_require__(4243);
const parse_1 = __nccwpck_require__(1044);
const tag_1 = __nccwpck_require__(9343);
class ASN1Obj {
    tag;
    subs;
    value;
    constructor(tag, value, subs) {
        this.tag = tag;
        this.value = value;
        this.subs = subs;
    }
    // Constructs an ASN.1 object from a Buffer of DER-encoded bytes.
    static parseBuffer(buf) {
        const stream = new stream_1.ByteStream(buf);
        const obj = parseStream(stream);
        // Ensure the entire buffer was consumed; trailing data after the top-level
        // object indicates a malformed (or maliciously padded) encoding.
        if (stream.position !== stream.length) {
            throw new error_1.ASN1ParseError('invalid trailing data');
        }
        return obj;
    }
    toDER() {
        const valueStream = new stream_1.ByteStream();
        if (this.subs.length > 0) {
            for (const sub of this.subs) {
                valueStream.appendView(sub.toDER());
            }
        }
        else {
            valueStream.appendView(this.value);
        }
        const value = valueStream.buffer;
        // Concat tag/length/value
        const obj = new stream_1.ByteStream();
        obj.appendChar(this.tag.toDER());
        obj.appendView((0, length_1.encodeLength)(value.length));
        obj.appendView(value);
        return obj.buffer;
    }
    /////////////////////////////////////////////////////////////////////////////
    // Convenience methods for parsing ASN.1 primitives into JS types
    // Returns the ASN.1 object's value as a boolean. Throws an error if the
    // object is not a boolean.
    toBoolean() {
        if (!this.tag.isBoolean()) {
            throw new error_1.ASN1TypeError('not a boolean');
        }
        return (0, parse_1.parseBoolean)(this.value);
    }
    // Returns the ASN.1 object's value as a BigInt. Throws an error if the
    // object is not an integer.
    toInteger() {
        if (!this.tag.isInteger()) {
            throw new error_1.ASN1TypeError('not an integer');
        }
        return (0, parse_1.parseInteger)(this.value);
    }
    // Returns the ASN.1 object's value as an OID string. Throws an error if the
    // object is not an OID.
    toOID() {
        if (!this.tag.isOID()) {
            throw new error_1.ASN1TypeError('not an OID');
        }
        return (0, parse_1.parseOID)(this.value);
    }
    // Returns the ASN.1 object's value as a Date. Throws an error if the object
    // is not either a UTCTime or a GeneralizedTime.
    toDate() {
        switch (true) {
            case this.tag.isUTCTime():
                return (0, parse_1.parseTime)(this.value, true);
            case this.tag.isGeneralizedTime():
                return (0, parse_1.parseTime)(this.value, false);
            default:
                throw new error_1.ASN1TypeError('not a date');
        }
    }
    // Returns the ASN.1 object's value as a number[] where each number is the
    // value of a bit in the bit string. Throws an error if the object is not a
    // bit string.
    toBitString() {
        if (!this.tag.isBitString()) {
            throw new error_1.ASN1TypeError('not a bit string');
        }
        return (0, parse_1.parseBitString)(this.value);
    }
}
exports.ASN1Obj = ASN1Obj;
/////////////////////////////////////////////////////////////////////////////
// Internal stream parsing functions
// Maximum nesting depth for parsed ASN.1 objects. Bounds the mutual recursion
// between parseStream and collectSubs so that deeply nested DER cannot exhaust
// the call stack (denial of service).
const MAX_DEPTH = 100;
function parseStream(stream, depth = 0) {
    if (depth > MAX_DEPTH) {
        throw new error_1.ASN1ParseError('maximum nesting depth exceeded');
    }
    // Parse tag, length, and value from stream
    const tag = new tag_1.ASN1Tag(stream.getUint8());
    const len = (0, length_1.decodeLength)(stream);
    const value = stream.slice(stream.position, len);
    const start = stream.position;
    let subs = [];
    // If the object is constructed, parse its children. Sometimes, children
    // are embedded in OCTESTRING objects, so we need to check those
    // for children as well.
    if (tag.constructed) {
        subs = collectSubs(stream, len, depth);
    }
    else if (tag.isOctetString()) {
        // Attempt to parse children of OCTETSTRING objects. If anything fails,
        // assume the object is not constructed and treat as primitive. This is
        // intentional: it transparently unwraps DER content embedded in an OCTET
        // STRING (e.g. X.509 extnValue, CMS eContent). The error is swallowed
        // because a parse failure simply means the bytes are an opaque primitive
        // value rather than a nested structure.
        try {
            subs = collectSubs(stream, len, depth);
        }
        catch (e) {
            // Fail silently and treat as primitive
        }
    }
    // If there are no children, move stream cursor to the end of the object
    if (subs.length === 0) {
        stream.seek(start + len);
    }
    return new ASN1Obj(tag, value, subs);
}
function collectSubs(stream, len, depth) {
    // Calculate end of object content
    const end = stream.position + len;
    // Make sure there are enough bytes left in the stream. This should never
    // happen, cause it'll get caught when the stream is sliced in parseStream.
    // Leaving as an extra check just in case.
    /* istanbul ignore if */
    if (end > stream.length) {
        throw new error_1.ASN1ParseError('invalid length');
    }
    // Parse all children
    const subs = [];
    while (stream.position < end) {
        subs.push(parseStream(stream, depth + 1));
    }
    // When we're done parsing children, we should be at the end of the object
    if (stream.position !== end) {
        throw new error_1.ASN1ParseError('invalid length');
    }
    return subs;
}


/***/ }),

/***/ 1044:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.parseInteger = parseInteger;
exports.parseStringASCII = parseStringASCII;
exports.parseTime = parseTime;
exports.parseOID = parseOID;
exports.parseBoolean = parseBoolean;
exports.parseBitString = parseBitString;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const error_1 = __nccwpck_require__(1121);
const RE_TIME_SHORT_YEAR = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{3})?Z$/;
const RE_TIME_LONG_YEAR = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{3})?Z$/;
// Parse a BigInt from the DER-encoded buffer
// https://learn.microsoft.com/en-us/windows/win32/seccertenroll/about-integer
function parseInteger(buf) {
    let pos = 0;
    const end = buf.length;
    let val = buf[pos];
    const neg = val > 0x7f;
    // Consume any padding bytes
    const pad = neg ? 0xff : 0x00;
    while (val == pad && ++pos < end) {
        val = buf[pos];
    }
    // Calculate remaining bytes to read
    const len = end - pos;
    if (len === 0)
        return BigInt(neg ? -1 : 0);
    // Handle two's complement for negative numbers
    val = neg ? val - 256 : val;
    // Parse remaining bytes
    let n = BigInt(val);
    for (let i = pos + 1; i < end; ++i) {
        n = n * BigInt(256) + BigInt(buf[i]);
    }
    return n;
}
// Parse an ASCII string from the DER-encoded buffer
// https://learn.microsoft.com/en-us/windows/win32/seccertenroll/about-basic-types#boolean
function parseStringASCII(buf) {
    return buf.toString('ascii');
}
// Parse a Date from the DER-encoded buffer
// https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5.1
function parseTime(buf, shortYear) {
    const timeStr = parseStringASCII(buf);
    // Parse the time string into matches - captured groups start at index 1
    const m = shortYear
        ? RE_TIME_SHORT_YEAR.exec(timeStr)
        : RE_TIME_LONG_YEAR.exec(timeStr);
    if (!m) {
        throw new Error('invalid time');
    }
    // Translate dates with a 2-digit year to 4 digits per the spec
    if (shortYear) {
        let year = Number(m[1]);
        year += year >= 50 ? 1900 : 2000;
        m[1] = year.toString();
    }
    // Translate to ISO8601 format and parse
    return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}
// Parse an OID from the DER-encoded buffer
// https://learn.microsoft.com/en-us/windows/win32/seccertenroll/about-object-identifier
function parseOID(buf) {
    let pos = 0;
    const end = buf.length;
    // Consume first byte which encodes the first two OID components
    let n = buf[pos++];
    const first = Math.floor(n / 40);
    const second = n % 40;
    let oid = `${first}.${second}`;
    // Consume remaining bytes. Use a BigInt accumulator so that arcs which
    // exceed 32 bits are not silently truncated (a truncated arc could be made
    // to collide with a trusted OID).
    let val = 0n;
    for (; pos < end; ++pos) {
        n = buf[pos];
        val = (val << 7n) + BigInt(n & 0x7f);
        // If the left-most bit is NOT set, then this is the last byte in the
        // sequence and we can add the value to the OID and reset the accumulator
        if ((n & 0x80) === 0) {
            oid += `.${val}`;
            val = 0n;
        }
    }
    return oid;
}
// Parse a boolean from the DER-encoded buffer
// https://learn.microsoft.com/en-us/windows/win32/seccertenroll/about-basic-types#boolean
function parseBoolean(buf) {
    // DER requires a BOOLEAN to be a single byte that is either 0x00 (false) or
    // 0xff (true). Reject any other (non-canonical) encoding.
    if (buf.length !== 1) {
        throw new error_1.ASN1ParseError('invalid boolean');
    }
    switch (buf[0]) {
        case 0x00:
            return false;
        case 0xff:
            return true;
        default:
            throw new error_1.ASN1ParseError('invalid boolean');
    }
}
// Parse a bit string from the DER-encoded buffer
// https://learn.microsoft.com/en-us/windows/win32/seccertenroll/about-bit-string
function parseBitString(buf) {
    // First byte tell us how many unused bits are in the last byte
    const unused = buf[0];
    // The number of unused bits must be in the range 0-7.
    if (unused > 7) {
        throw new error_1.ASN1ParseError('invalid bit string');
    }
    const start = 1;
    const end = buf.length;
    const bits = [];
    for (let i = start; i < end; ++i) {
        const byte = buf[i];
        // The skip value is only used for the last byte
        const skip = i === end - 1 ? unused : 0;
        // Iterate over each bit in the byte (most significant first)
        for (let j = 7; j >= skip; --j) {
            // Read the bit and add it to the bit string
            bits.push((byte >> j) & 0x01);
        }
    }
    return bits;
}


/***/ }),

/***/ 9343:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ASN1Tag = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const error_1 = __nccwpck_require__(1121);
const UNIVERSAL_TAG = {
    BOOLEAN: 0x01,
    INTEGER: 0x02,
    BIT_STRING: 0x03,
    OCTET_STRING: 0x04,
    OBJECT_IDENTIFIER: 0x06,
    SEQUENCE: 0x10,
    SET: 0x11,
    PRINTABLE_STRING: 0x13,
    UTC_TIME: 0x17,
    GENERALIZED_TIME: 0x18,
};
const TAG_CLASS = {
    UNIVERSAL: 0x00,
    APPLICATION: 0x01,
    CONTEXT_SPECIFIC: 0x02,
    PRIVATE: 0x03,
};
// https://learn.microsoft.com/en-us/windows/win32/seccertenroll/about-encoded-tag-bytes
class ASN1Tag {
    number;
    constructed;
    class;
    constructor(enc) {
        // Bits 0 through 4 are the tag number
        this.number = enc & 0x1f;
        // Bit 5 is the constructed bit
        this.constructed = (enc & 0x20) === 0x20;
        // Bit 6 & 7 are the class
        this.class = enc >> 6;
        if (this.number === 0x1f) {
            throw new error_1.ASN1ParseError('long form tags not supported');
        }
        if (this.class === TAG_CLASS.UNIVERSAL && this.number === 0x00) {
            throw new error_1.ASN1ParseError('unsupported tag 0x00');
        }
    }
    isUniversal() {
        return this.class === TAG_CLASS.UNIVERSAL;
    }
    isContextSpecific(num) {
        const res = this.class === TAG_CLASS.CONTEXT_SPECIFIC;
        return num !== undefined ? res && this.number === num : res;
    }
    isBoolean() {
        return this.isUniversal() && this.number === UNIVERSAL_TAG.BOOLEAN;
    }
    isInteger() {
        return this.isUniversal() && this.number === UNIVERSAL_TAG.INTEGER;
    }
    isBitString() {
        return this.isUniversal() && this.number === UNIVERSAL_TAG.BIT_STRING;
    }
    isOctetString() {
        return this.isUniversal() && this.number === UNIVERSAL_TAG.OCTET_STRING;
    }
    isOID() {
        return (this.isUniversal() && this.number === UNIVERSAL_TAG.OBJECT_IDENTIFIER);
    }
    isUTCTime() {
        return this.isUniversal() && this.number === UNIVERSAL_TAG.UTC_TIME;
    }
    isGeneralizedTime() {
        return this.isUniversal() && this.number === UNIVERSAL_TAG.GENERALIZED_TIME;
    }
    toDER() {
        return this.number | (this.constructed ? 0x20 : 0x00) | (this.class << 6);
    }
}
exports.ASN1Tag = ASN1Tag;


/***/ }),

/***/ 9368:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.createPublicKey = createPublicKey;
exports.digest = digest;
exports.verify = verify;
exports.bufferEqual = bufferEqual;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const crypto_1 = __importDefault(__nccwpck_require__(6982));
function createPublicKey(key, type = 'spki') {
    if (typeof key === 'string') {
        if (key.startsWith('-----')) {
            return crypto_1.default.createPublicKey(key);
        }
        else {
            return crypto_1.default.createPublicKey({
                key: Buffer.from(key, 'base64'),
                format: 'der',
                type: type,
            });
        }
    }
    else {
        return crypto_1.default.createPublicKey({ key, format: 'der', type: type });
    }
}
function digest(algorithm, ...data) {
    const hash = crypto_1.default.createHash(algorithm);
    for (const d of data) {
        hash.update(d);
    }
    return hash.digest();
}
function verify(data, key, signature, algorithm) {
    // The try/catch is to work around an issue in Node 14.x where verify throws
    // an error in some scenarios if the signature is invalid.
    try {
        return crypto_1.default.verify(algorithm, data, key, signature);
    }
    catch (e) {
        /* istanbul ignore next */
        return false;
    }
}
function bufferEqual(a, b) {
    try {
        return crypto_1.default.timingSafeEqual(a, b);
    }
    catch {
        /* istanbul ignore next */
        return false;
    }
}


/***/ }),

/***/ 9032:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.preAuthEncoding = preAuthEncoding;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const PAE_PREFIX = 'DSSEv1';
// DSSE Pre-Authentication Encoding
function preAuthEncoding(payloadType, payload) {
    const typeBytes = Buffer.from(payloadType, 'utf-8');
    return Buffer.concat([
        Buffer.from(`${PAE_PREFIX} ${typeBytes.length} `, 'ascii'),
        typeBytes,
        Buffer.from(` ${payload.length} `, 'ascii'),
        payload,
    ]);
}


/***/ }),

/***/ 2788:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.base64Encode = base64Encode;
exports.base64Decode = base64Decode;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const BASE64_ENCODING = 'base64';
const UTF8_ENCODING = 'utf-8';
function base64Encode(str) {
    return Buffer.from(str, UTF8_ENCODING).toString(BASE64_ENCODING);
}
function base64Decode(str) {
    return Buffer.from(str, BASE64_ENCODING).toString(UTF8_ENCODING);
}


/***/ }),

/***/ 3917:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.X509SCTExtension = exports.X509Certificate = exports.EXTENSION_OID_SCT = exports.ByteStream = exports.RFC3161Timestamp = exports.pem = exports.json = exports.encoding = exports.dsse = exports.crypto = exports.ASN1Obj = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
var asn1_1 = __nccwpck_require__(6027);
Object.defineProperty(exports, "ASN1Obj", ({ enumerable: true, get: function () { return asn1_1.ASN1Obj; } }));
exports.crypto = __importStar(__nccwpck_require__(9368));
exports.dsse = __importStar(__nccwpck_require__(9032));
exports.encoding = __importStar(__nccwpck_require__(2788));
exports.json = __importStar(__nccwpck_require__(3327));
exports.pem = __importStar(__nccwpck_require__(1055));
var rfc3161_1 = __nccwpck_require__(994);
Object.defineProperty(exports, "RFC3161Timestamp", ({ enumerable: true, get: function () { return rfc3161_1.RFC3161Timestamp; } }));
var stream_1 = __nccwpck_require__(1673);
Object.defineProperty(exports, "ByteStream", ({ enumerable: true, get: function () { return stream_1.ByteStream; } }));
var x509_1 = __nccwpck_require__(9358);
Object.defineProperty(exports, "EXTENSION_OID_SCT", ({ enumerable: true, get: function () { return x509_1.EXTENSION_OID_SCT; } }));
Object.defineProperty(exports, "X509Certificate", ({ enumerable: true, get: function () { return x509_1.X509Certificate; } }));
Object.defineProperty(exports, "X509SCTExtension", ({ enumerable: true, get: function () { return x509_1.X509SCTExtension; } }));


/***/ }),

/***/ 3327:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.canonicalize = canonicalize;
// JSON canonicalization per https://github.com/cyberphone/json-canonicalization
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function canonicalize(object) {
    let buffer = '';
    if (object === null || typeof object !== 'object' || object.toJSON != null) {
        // Primitives or toJSONable objects
        buffer += JSON.stringify(object);
    }
    else if (Array.isArray(object)) {
        // Array - maintain element order
        buffer += '[';
        let first = true;
        object.forEach((element) => {
            if (!first) {
                buffer += ',';
            }
            first = false;
            // recursive call
            buffer += canonicalize(element);
        });
        buffer += ']';
    }
    else {
        // Object - Sort properties before serializing
        buffer += '{';
        let first = true;
        Object.keys(object)
            .sort()
            .forEach((property) => {
            if (!first) {
                buffer += ',';
            }
            first = false;
            buffer += JSON.stringify(property);
            buffer += ':';
            // recursive call
            buffer += canonicalize(object[property]);
        });
        buffer += '}';
    }
    return buffer;
}


/***/ }),

/***/ 1817:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.SHA2_HASH_ALGOS = exports.RSA_SIGNATURE_ALGOS = exports.ECDSA_SIGNATURE_ALGOS = void 0;
exports.ECDSA_SIGNATURE_ALGOS = {
    '1.2.840.10045.4.3.1': 'sha224',
    '1.2.840.10045.4.3.2': 'sha256',
    '1.2.840.10045.4.3.3': 'sha384',
    '1.2.840.10045.4.3.4': 'sha512',
};
exports.RSA_SIGNATURE_ALGOS = {
    '1.2.840.113549.1.1.14': 'sha224',
    '1.2.840.113549.1.1.11': 'sha256',
    '1.2.840.113549.1.1.12': 'sha384',
    '1.2.840.113549.1.1.13': 'sha512',
};
exports.SHA2_HASH_ALGOS = {
    '2.16.840.1.101.3.4.2.1': 'sha256',
    '2.16.840.1.101.3.4.2.2': 'sha384',
    '2.16.840.1.101.3.4.2.3': 'sha512',
};


/***/ }),

/***/ 1055:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.toDER = toDER;
exports.fromDER = fromDER;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const PEM_HEADER = /-----BEGIN (.*)-----/;
const PEM_FOOTER = /-----END (.*)-----/;
function toDER(certificate) {
    let der = '';
    certificate.split('\n').forEach((line) => {
        if (line.match(PEM_HEADER) || line.match(PEM_FOOTER)) {
            return;
        }
        der += line;
    });
    return Buffer.from(der, 'base64');
}
// Translates a DER-encoded buffer into a PEM-encoded string. Standard PEM
// encoding dictates that each certificate should have a trailing newline after
// the footer.
function fromDER(certificate, type = 'CERTIFICATE') {
    // Base64-encode the certificate.
    const der = certificate.toString('base64');
    // Split the certificate into lines of 64 characters.
    const lines = der.match(/.{1,64}/g) || '';
    return [`-----BEGIN ${type}-----`, ...lines, `-----END ${type}-----`]
        .join('\n')
        .concat('\n');
}


/***/ }),

/***/ 7512:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.RFC3161TimestampVerificationError = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
class RFC3161TimestampVerificationError extends Error {
}
exports.RFC3161TimestampVerificationError = RFC3161TimestampVerificationError;


/***/ }),

/***/ 994:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.RFC3161Timestamp = void 0;
var timestamp_1 = __nccwpck_require__(2714);
Object.defineProperty(exports, "RFC3161Timestamp", ({ enumerable: true, get: function () { return timestamp_1.RFC3161Timestamp; } }));


/***/ }),

/***/ 2714:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.RFC3161Timestamp = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const asn1_1 = __nccwpck_require__(6027);
const crypto = __importStar(__nccwpck_require__(9368));
const oid_1 = __nccwpck_require__(1817);
const error_1 = __nccwpck_require__(7512);
const tstinfo_1 = __nccwpck_require__(2925);
const OID_PKCS9_CONTENT_TYPE_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_PKCS9_CONTENT_TYPE_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const OID_PKCS9_MESSAGE_DIGEST_KEY = '1.2.840.113549.1.9.4';
class RFC3161Timestamp {
    root;
    constructor(asn1) {
        this.root = asn1;
    }
    static parse(der) {
        const asn1 = asn1_1.ASN1Obj.parseBuffer(der);
        return new RFC3161Timestamp(asn1);
    }
    get status() {
        return this.pkiStatusInfoObj.subs[0].toInteger();
    }
    get contentType() {
        return this.contentTypeObj.toOID();
    }
    get eContentType() {
        return this.eContentTypeObj.toOID();
    }
    get signingTime() {
        return this.tstInfo.genTime;
    }
    get signerIssuer() {
        return this.signerSidObj.subs[0].value;
    }
    get signerSerialNumber() {
        return this.signerSidObj.subs[1].value;
    }
    get signerDigestAlgorithm() {
        const oid = this.signerDigestAlgorithmObj.subs[0].toOID();
        return oid_1.SHA2_HASH_ALGOS[oid];
    }
    get signatureAlgorithm() {
        const oid = this.signatureAlgorithmObj.subs[0].toOID();
        return oid_1.ECDSA_SIGNATURE_ALGOS[oid];
    }
    get signatureValue() {
        return this.signatureValueObj.value;
    }
    get tstInfo() {
        // Need to unpack tstInfo from an OCTET STRING
        return new tstinfo_1.TSTInfo(this.eContentObj.subs[0].subs[0]);
    }
    verify(data, publicKey) {
        if (!this.timeStampTokenObj) {
            throw new error_1.RFC3161TimestampVerificationError('timeStampToken is missing');
        }
        // Check for expected ContentInfo content type
        if (this.contentType !== OID_PKCS9_CONTENT_TYPE_SIGNED_DATA) {
            throw new error_1.RFC3161TimestampVerificationError(`incorrect content type: ${this.contentType}`);
        }
        // Check for expected encapsulated content type
        if (this.eContentType !== OID_PKCS9_CONTENT_TYPE_TSTINFO) {
            throw new error_1.RFC3161TimestampVerificationError(`incorrect encapsulated content type: ${this.eContentType}`);
        }
        // Check that the tstInfo references the correct artifact
        this.tstInfo.verify(data);
        // Check that the signed message digest matches the tstInfo
        this.verifyMessageDigest();
        // Check that the signature is valid for the signed attributes
        this.verifySignature(publicKey);
    }
    verifyMessageDigest() {
        // Check that the tstInfo matches the signed data
        const tstInfoDigest = crypto.digest(this.signerDigestAlgorithm, this.tstInfo.raw);
        const expectedDigest = this.messageDigestAttributeObj.subs[1].subs[0].value;
        if (!crypto.bufferEqual(tstInfoDigest, expectedDigest)) {
            throw new error_1.RFC3161TimestampVerificationError('signed data does not match tstInfo');
        }
    }
    verifySignature(key) {
        // Encode the signed attributes for verification
        const signedAttrs = this.signedAttrsObj.toDER();
        signedAttrs[0] = 0x31; // Change context-specific tag to SET
        // Check that the signature is valid for the signed attributes
        const verified = crypto.verify(signedAttrs, key, this.signatureValue, this.signatureAlgorithm);
        if (!verified) {
            throw new error_1.RFC3161TimestampVerificationError('signature verification failed');
        }
    }
    // https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2
    get pkiStatusInfoObj() {
        // pkiStatusInfo is the first element of the timestamp response sequence
        return this.root.subs[0];
    }
    // https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2
    get timeStampTokenObj() {
        // timeStampToken is the first element of the timestamp response sequence
        return this.root.subs[1];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-3
    get contentTypeObj() {
        return this.timeStampTokenObj.subs[0];
    }
    // https://www.rfc-editor.org/rfc/rfc5652#section-3
    get signedDataObj() {
        const obj = this.timeStampTokenObj.subs.find((sub) => sub.tag.isContextSpecific(0x00));
        return obj.subs[0];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.1
    get encapContentInfoObj() {
        return this.signedDataObj.subs[2];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.1
    get signerInfosObj() {
        // SignerInfos is the last element of the signed data sequence
        const sd = this.signedDataObj;
        return sd.subs[sd.subs.length - 1];
    }
    // https://www.rfc-editor.org/rfc/rfc5652#section-5.1
    get signerInfoObj() {
        // Only supporting one signer
        return this.signerInfosObj.subs[0];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.2
    get eContentTypeObj() {
        return this.encapContentInfoObj.subs[0];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.2
    get eContentObj() {
        return this.encapContentInfoObj.subs[1];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.3
    get signedAttrsObj() {
        const signedAttrs = this.signerInfoObj.subs.find((sub) => sub.tag.isContextSpecific(0x00));
        return signedAttrs;
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.3
    get messageDigestAttributeObj() {
        const messageDigest = this.signedAttrsObj.subs.find((sub) => sub.subs[0].tag.isOID() &&
            sub.subs[0].toOID() === OID_PKCS9_MESSAGE_DIGEST_KEY);
        return messageDigest;
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.3
    get signerSidObj() {
        return this.signerInfoObj.subs[1];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.3
    get signerDigestAlgorithmObj() {
        // Signature is the 2nd element of the signerInfoObj object
        return this.signerInfoObj.subs[2];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.3
    get signatureAlgorithmObj() {
        // Signature is the 4th element of the signerInfoObj object
        return this.signerInfoObj.subs[4];
    }
    // https://datatracker.ietf.org/doc/html/rfc5652#section-5.3
    get signatureValueObj() {
        // Signature is the 6th element of the signerInfoObj object
        return this.signerInfoObj.subs[5];
    }
}
exports.RFC3161Timestamp = RFC3161Timestamp;


/***/ }),

/***/ 2925:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.TSTInfo = void 0;
const crypto = __importStar(__nccwpck_require__(9368));
const oid_1 = __nccwpck_require__(1817);
const error_1 = __nccwpck_require__(7512);
class TSTInfo {
    root;
    constructor(asn1) {
        this.root = asn1;
    }
    get version() {
        return this.root.subs[0].toInteger();
    }
    get genTime() {
        return this.root.subs[4].toDate();
    }
    get messageImprintHashAlgorithm() {
        const oid = this.messageImprintObj.subs[0].subs[0].toOID();
        return oid_1.SHA2_HASH_ALGOS[oid];
    }
    get messageImprintHashedMessage() {
        return this.messageImprintObj.subs[1].value;
    }
    get raw() {
        return this.root.toDER();
    }
    verify(data) {
        const digest = crypto.digest(this.messageImprintHashAlgorithm, data);
        if (!crypto.bufferEqual(digest, this.messageImprintHashedMessage)) {
            throw new error_1.RFC3161TimestampVerificationError('message imprint does not match artifact');
        }
    }
    // https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2
    get messageImprintObj() {
        return this.root.subs[2];
    }
}
exports.TSTInfo = TSTInfo;


/***/ }),

/***/ 1673:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ByteStream = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
class StreamError extends Error {
}
class ByteStream {
    static BLOCK_SIZE = 1024;
    buf;
    view;
    start = 0;
    constructor(buffer) {
        if (buffer) {
            this.buf = buffer;
            this.view = Buffer.from(buffer);
        }
        else {
            this.buf = Buffer.alloc(0);
            this.view = Buffer.from(this.buf);
        }
    }
    get buffer() {
        return this.view.subarray(0, this.start);
    }
    get length() {
        return this.view.byteLength;
    }
    get position() {
        return this.start;
    }
    seek(position) {
        this.start = position;
    }
    // Returns a Buffer containing the specified number of bytes starting at the
    // given start position.
    slice(start, len) {
        const end = start + len;
        if (end > this.length) {
            throw new StreamError('request past end of buffer');
        }
        return this.view.subarray(start, end);
    }
    appendChar(char) {
        this.ensureCapacity(1);
        this.view[this.start] = char;
        this.start += 1;
    }
    appendUint16(num) {
        this.ensureCapacity(2);
        const value = new Uint16Array([num]);
        const view = new Uint8Array(value.buffer);
        this.view[this.start] = view[1];
        this.view[this.start + 1] = view[0];
        this.start += 2;
    }
    appendUint24(num) {
        this.ensureCapacity(3);
        const value = new Uint32Array([num]);
        const view = new Uint8Array(value.buffer);
        this.view[this.start] = view[2];
        this.view[this.start + 1] = view[1];
        this.view[this.start + 2] = view[0];
        this.start += 3;
    }
    appendView(view) {
        this.ensureCapacity(view.length);
        this.view.set(view, this.start);
        this.start += view.length;
    }
    getBlock(size) {
        if (size <= 0) {
            return Buffer.alloc(0);
        }
        if (this.start + size > this.view.length) {
            throw new Error('request past end of buffer');
        }
        const result = this.view.subarray(this.start, this.start + size);
        this.start += size;
        return result;
    }
    getUint8() {
        return this.getBlock(1)[0];
    }
    getUint16() {
        const block = this.getBlock(2);
        return (block[0] << 8) | block[1];
    }
    ensureCapacity(size) {
        if (this.start + size > this.view.byteLength) {
            const blockSize = ByteStream.BLOCK_SIZE + (size > ByteStream.BLOCK_SIZE ? size : 0);
            this.realloc(this.view.byteLength + blockSize);
        }
    }
    realloc(size) {
        const newArray = Buffer.alloc(size);
        const newView = Buffer.from(newArray);
        // Copy the old buffer into the new one
        newView.set(this.view);
        this.buf = newArray;
        this.view = newView;
    }
}
exports.ByteStream = ByteStream;


/***/ }),

/***/ 3566:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.X509Certificate = exports.EXTENSION_OID_SCT = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const asn1_1 = __nccwpck_require__(6027);
const crypto = __importStar(__nccwpck_require__(9368));
const oid_1 = __nccwpck_require__(1817);
const pem = __importStar(__nccwpck_require__(1055));
const ext_1 = __nccwpck_require__(6389);
const EXTENSION_OID_SUBJECT_KEY_ID = '2.5.29.14';
const EXTENSION_OID_KEY_USAGE = '2.5.29.15';
const EXTENSION_OID_SUBJECT_ALT_NAME = '2.5.29.17';
const EXTENSION_OID_BASIC_CONSTRAINTS = '2.5.29.19';
const EXTENSION_OID_AUTHORITY_KEY_ID = '2.5.29.35';
exports.EXTENSION_OID_SCT = '1.3.6.1.4.1.11129.2.4.2';
class X509Certificate {
    root;
    constructor(asn1) {
        this.root = asn1;
    }
    static parse(cert) {
        const der = typeof cert === 'string' ? pem.toDER(cert) : cert;
        const asn1 = asn1_1.ASN1Obj.parseBuffer(der);
        return new X509Certificate(asn1);
    }
    get tbsCertificate() {
        return this.tbsCertificateObj;
    }
    get version() {
        // version number is the first element of the version context specific tag
        const ver = this.versionObj.subs[0].toInteger();
        return `v${(ver + BigInt(1)).toString()}`;
    }
    get serialNumber() {
        return this.serialNumberObj.value;
    }
    get notBefore() {
        // notBefore is the first element of the validity sequence
        return this.validityObj.subs[0].toDate();
    }
    get notAfter() {
        // notAfter is the second element of the validity sequence
        return this.validityObj.subs[1].toDate();
    }
    get issuer() {
        return this.issuerObj.value;
    }
    get subject() {
        return this.subjectObj.value;
    }
    get publicKey() {
        return this.subjectPublicKeyInfoObj.toDER();
    }
    get signatureAlgorithm() {
        const oid = this.signatureAlgorithmObj.subs[0].toOID();
        if (oid_1.RSA_SIGNATURE_ALGOS[oid]) {
            return oid_1.RSA_SIGNATURE_ALGOS[oid];
        }
        return oid_1.ECDSA_SIGNATURE_ALGOS[oid];
    }
    get signatureValue() {
        // Signature value is a bit string, so we need to skip the first byte
        return this.signatureValueObj.value.subarray(1);
    }
    get subjectAltName() {
        const ext = this.extSubjectAltName;
        return ext?.uri || /* istanbul ignore next */ ext?.rfc822Name;
    }
    get extensions() {
        // The extension list is the first (and only) element of the extensions
        // context specific tag
        /* istanbul ignore next */
        const extSeq = this.extensionsObj?.subs[0];
        /* istanbul ignore next */
        return extSeq?.subs || [];
    }
    get extKeyUsage() {
        const ext = this.findExtension(EXTENSION_OID_KEY_USAGE);
        return ext ? new ext_1.X509KeyUsageExtension(ext) : undefined;
    }
    get extBasicConstraints() {
        const ext = this.findExtension(EXTENSION_OID_BASIC_CONSTRAINTS);
        return ext ? new ext_1.X509BasicConstraintsExtension(ext) : undefined;
    }
    get extSubjectAltName() {
        const ext = this.findExtension(EXTENSION_OID_SUBJECT_ALT_NAME);
        return ext ? new ext_1.X509SubjectAlternativeNameExtension(ext) : undefined;
    }
    get extAuthorityKeyID() {
        const ext = this.findExtension(EXTENSION_OID_AUTHORITY_KEY_ID);
        return ext ? new ext_1.X509AuthorityKeyIDExtension(ext) : undefined;
    }
    get extSubjectKeyID() {
        const ext = this.findExtension(EXTENSION_OID_SUBJECT_KEY_ID);
        return ext
            ? new ext_1.X509SubjectKeyIDExtension(ext)
            : /* istanbul ignore next */ undefined;
    }
    get extSCT() {
        const ext = this.findExtension(exports.EXTENSION_OID_SCT);
        return ext ? new ext_1.X509SCTExtension(ext) : undefined;
    }
    get isCA() {
        const ca = this.extBasicConstraints?.isCA || false;
        // If the KeyUsage extension is present, keyCertSign must be set
        /* istanbul ignore else */
        if (this.extKeyUsage) {
            return ca && this.extKeyUsage.keyCertSign;
        }
        // TODO: test coverage for this case
        /* istanbul ignore next */
        return ca;
    }
    extension(oid) {
        const ext = this.findExtension(oid);
        return ext ? new ext_1.X509Extension(ext) : undefined;
    }
    verify(issuerCertificate) {
        // Use the issuer's public key if provided, otherwise use the subject's
        const publicKey = issuerCertificate?.publicKey || this.publicKey;
        const key = crypto.createPublicKey(publicKey);
        return crypto.verify(this.tbsCertificate.toDER(), key, this.signatureValue, this.signatureAlgorithm);
    }
    validForDate(date) {
        return this.notBefore <= date && date <= this.notAfter;
    }
    equals(other) {
        return this.root.toDER().equals(other.root.toDER());
    }
    // Creates a copy of the certificate with a new buffer
    clone() {
        const der = this.root.toDER();
        const clone = Buffer.alloc(der.length);
        der.copy(clone);
        return X509Certificate.parse(clone);
    }
    findExtension(oid) {
        // Find the extension with the given OID. The OID will always be the first
        // element of the extension sequence
        return this.extensions.find((ext) => ext.subs[0].toOID() === oid);
    }
    /////////////////////////////////////////////////////////////////////////////
    // The following properties use the documented x509 structure to locate the
    // desired ASN.1 object
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.1
    get tbsCertificateObj() {
        // tbsCertificate is the first element of the certificate sequence
        return this.root.subs[0];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
    get signatureAlgorithmObj() {
        // signatureAlgorithm is the second element of the certificate sequence
        return this.root.subs[1];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.3
    get signatureValueObj() {
        // signatureValue is the third element of the certificate sequence
        return this.root.subs[2];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.1
    get versionObj() {
        // version is the first element of the tbsCertificate sequence
        return this.tbsCertificateObj.subs[0];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.2
    get serialNumberObj() {
        // serialNumber is the second element of the tbsCertificate sequence
        return this.tbsCertificateObj.subs[1];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4
    get issuerObj() {
        // issuer is the fourth element of the tbsCertificate sequence
        return this.tbsCertificateObj.subs[3];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
    get validityObj() {
        // version is the fifth element of the tbsCertificate sequence
        return this.tbsCertificateObj.subs[4];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.6
    get subjectObj() {
        // subject is the sixth element of the tbsCertificate sequence
        return this.tbsCertificateObj.subs[5];
    }
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
    get subjectPublicKeyInfoObj() {
        // subjectPublicKeyInfo is the seventh element of the tbsCertificate sequence
        return this.tbsCertificateObj.subs[6];
    }
    // Extensions can't be located by index because their position varies. Instead,
    // we need to find the extensions context specific tag
    // https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.9
    get extensionsObj() {
        return this.tbsCertificateObj.subs.find((sub) => sub.tag.isContextSpecific(0x03));
    }
}
exports.X509Certificate = X509Certificate;


/***/ }),

/***/ 6389:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.X509SCTExtension = exports.X509SubjectKeyIDExtension = exports.X509AuthorityKeyIDExtension = exports.X509SubjectAlternativeNameExtension = exports.X509KeyUsageExtension = exports.X509BasicConstraintsExtension = exports.X509Extension = void 0;
const stream_1 = __nccwpck_require__(1673);
const sct_1 = __nccwpck_require__(6144);
// https://www.rfc-editor.org/rfc/rfc5280#section-4.1
class X509Extension {
    root;
    constructor(asn1) {
        this.root = asn1;
    }
    get oid() {
        return this.root.subs[0].toOID();
    }
    get critical() {
        // The critical field is optional and will be the second element of the
        // extension sequence if present. Default to false if not present.
        return this.root.subs.length === 3 ? this.root.subs[1].toBoolean() : false;
    }
    get value() {
        return this.extnValueObj.value;
    }
    get valueObj() {
        return this.extnValueObj;
    }
    get extnValueObj() {
        // The extnValue field will be the last element of the extension sequence
        return this.root.subs[this.root.subs.length - 1];
    }
}
exports.X509Extension = X509Extension;
// https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9
class X509BasicConstraintsExtension extends X509Extension {
    get isCA() {
        return this.sequence.subs[0]?.toBoolean() ?? false;
    }
    get pathLenConstraint() {
        return this.sequence.subs.length > 1
            ? this.sequence.subs[1].toInteger()
            : undefined;
    }
    // The extnValue field contains a single sequence wrapping the isCA and
    // pathLenConstraint.
    get sequence() {
        return this.extnValueObj.subs[0];
    }
}
exports.X509BasicConstraintsExtension = X509BasicConstraintsExtension;
// https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
class X509KeyUsageExtension extends X509Extension {
    get digitalSignature() {
        return this.bitString[0] === 1;
    }
    get keyCertSign() {
        return this.bitString[5] === 1;
    }
    get crlSign() {
        return this.bitString[6] === 1;
    }
    // The extnValue field contains a single bit string which is a bit mask
    // indicating which key usages are enabled.
    get bitString() {
        return this.extnValueObj.subs[0].toBitString();
    }
}
exports.X509KeyUsageExtension = X509KeyUsageExtension;
// https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6
class X509SubjectAlternativeNameExtension extends X509Extension {
    get rfc822Name() {
        return this.findGeneralName(0x01)?.value.toString('ascii');
    }
    get uri() {
        return this.findGeneralName(0x06)?.value.toString('ascii');
    }
    // Retrieve the value of an otherName with the given OID.
    otherName(oid) {
        const otherName = this.findGeneralName(0x00);
        if (otherName === undefined) {
            return undefined;
        }
        // The otherName is a sequence containing an OID and a value.
        // Need to check that the OID matches the one we're looking for.
        const otherNameOID = otherName.subs[0].toOID();
        if (otherNameOID !== oid) {
            return undefined;
        }
        // The otherNameValue is a sequence containing the actual value.
        const otherNameValue = otherName.subs[1];
        return otherNameValue.subs[0].value.toString('ascii');
    }
    findGeneralName(tag) {
        return this.generalNames.find((gn) => gn.tag.isContextSpecific(tag));
    }
    // The extnValue field contains a sequence of GeneralNames.
    get generalNames() {
        return this.extnValueObj.subs[0].subs;
    }
}
exports.X509SubjectAlternativeNameExtension = X509SubjectAlternativeNameExtension;
// https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.1
class X509AuthorityKeyIDExtension extends X509Extension {
    get keyIdentifier() {
        return this.findSequenceMember(0x00)?.value;
    }
    findSequenceMember(tag) {
        return this.sequence.subs.find((el) => el.tag.isContextSpecific(tag));
    }
    // The extnValue field contains a single sequence wrapping the keyIdentifier
    get sequence() {
        return this.extnValueObj.subs[0];
    }
}
exports.X509AuthorityKeyIDExtension = X509AuthorityKeyIDExtension;
// https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.2
class X509SubjectKeyIDExtension extends X509Extension {
    get keyIdentifier() {
        return this.extnValueObj.subs[0].value;
    }
}
exports.X509SubjectKeyIDExtension = X509SubjectKeyIDExtension;
// https://www.rfc-editor.org/rfc/rfc6962#section-3.3
class X509SCTExtension extends X509Extension {
    constructor(asn1) {
        super(asn1);
    }
    get signedCertificateTimestamps() {
        const buf = this.extnValueObj.subs[0].value;
        const stream = new stream_1.ByteStream(buf);
        // The overall list length is encoded in the first two bytes -- note this
        // is the length of the list in bytes, NOT the number of SCTs in the list
        const end = stream.getUint16() + 2;
        const sctList = [];
        while (stream.position < end) {
            // Read the length of the next SCT
            const sctLength = stream.getUint16();
            // Slice out the bytes for the next SCT and parse it
            const sct = stream.getBlock(sctLength);
            sctList.push(sct_1.SignedCertificateTimestamp.parse(sct));
        }
        if (stream.position !== end) {
            throw new Error('SCT list length does not match actual length');
        }
        return sctList;
    }
}
exports.X509SCTExtension = X509SCTExtension;


/***/ }),

/***/ 9358:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.X509SCTExtension = exports.X509Certificate = exports.EXTENSION_OID_SCT = void 0;
var cert_1 = __nccwpck_require__(3566);
Object.defineProperty(exports, "EXTENSION_OID_SCT", ({ enumerable: true, get: function () { return cert_1.EXTENSION_OID_SCT; } }));
Object.defineProperty(exports, "X509Certificate", ({ enumerable: true, get: function () { return cert_1.X509Certificate; } }));
var ext_1 = __nccwpck_require__(6389);
Object.defineProperty(exports, "X509SCTExtension", ({ enumerable: true, get: function () { return ext_1.X509SCTExtension; } }));


/***/ }),

/***/ 6144:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.SignedCertificateTimestamp = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const crypto = __importStar(__nccwpck_require__(9368));
const stream_1 = __nccwpck_require__(1673);
class SignedCertificateTimestamp {
    version;
    logID;
    timestamp;
    extensions;
    hashAlgorithm;
    signatureAlgorithm;
    signature;
    constructor(options) {
        this.version = options.version;
        this.logID = options.logID;
        this.timestamp = options.timestamp;
        this.extensions = options.extensions;
        this.hashAlgorithm = options.hashAlgorithm;
        this.signatureAlgorithm = options.signatureAlgorithm;
        this.signature = options.signature;
    }
    get datetime() {
        return new Date(Number(this.timestamp.readBigInt64BE()));
    }
    // Returns the hash algorithm used to generate the SCT's signature.
    // https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4.1
    get algorithm() {
        switch (this.hashAlgorithm) {
            /* istanbul ignore next */
            case 0:
                return 'none';
            /* istanbul ignore next */
            case 1:
                return 'md5';
            /* istanbul ignore next */
            case 2:
                return 'sha1';
            /* istanbul ignore next */
            case 3:
                return 'sha224';
            case 4:
                return 'sha256';
            /* istanbul ignore next */
            case 5:
                return 'sha384';
            /* istanbul ignore next */
            case 6:
                return 'sha512';
            /* istanbul ignore next */
            default:
                return 'unknown';
        }
    }
    verify(preCert, key) {
        // Assemble the digitally-signed struct (the data over which the signature
        // was generated).
        // https://www.rfc-editor.org/rfc/rfc6962#section-3.2
        const stream = new stream_1.ByteStream();
        stream.appendChar(this.version);
        stream.appendChar(0x00); // SignatureType = certificate_timestamp(0)
        stream.appendView(this.timestamp);
        stream.appendUint16(0x01); // LogEntryType = precert_entry(1)
        stream.appendView(preCert);
        stream.appendUint16(this.extensions.byteLength);
        /* istanbul ignore next - extensions are very uncommon */
        if (this.extensions.byteLength > 0) {
            stream.appendView(this.extensions);
        }
        return crypto.verify(stream.buffer, key, this.signature, this.algorithm);
    }
    // Parses a SignedCertificateTimestamp from a buffer. SCTs are encoded using
    // TLS encoding which means the fields and lengths of most fields are
    // specified as part of the SCT and TLS specs.
    // https://www.rfc-editor.org/rfc/rfc6962#section-3.2
    // https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4.1
    static parse(buf) {
        const stream = new stream_1.ByteStream(buf);
        // Version - enum { v1(0), (255) }
        const version = stream.getUint8();
        // Log ID  - struct { opaque key_id[32]; }
        const logID = stream.getBlock(32);
        // Timestamp - uint64
        const timestamp = stream.getBlock(8);
        // Extensions - opaque extensions<0..2^16-1>;
        const extenstionLength = stream.getUint16();
        const extensions = stream.getBlock(extenstionLength);
        // Hash algo - enum { sha256(4), . . . (255) }
        const hashAlgorithm = stream.getUint8();
        // Signature algo - enum { anonymous(0), rsa(1), dsa(2), ecdsa(3), (255) }
        const signatureAlgorithm = stream.getUint8();
        // Signature  - opaque signature<0..2^16-1>;
        const sigLength = stream.getUint16();
        const signature = stream.getBlock(sigLength);
        // Check that we read the entire buffer
        if (stream.position !== buf.length) {
            throw new Error('SCT buffer length mismatch');
        }
        return new SignedCertificateTimestamp({
            version,
            logID,
            timestamp,
            extensions,
            hashAlgorithm,
            signatureAlgorithm,
            signature,
        });
    }
}
exports.SignedCertificateTimestamp = SignedCertificateTimestamp;


/***/ }),

/***/ 7030:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: envelope.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Signature = exports.Envelope = void 0;
exports.Envelope = {
    fromJSON(object) {
        return {
            payload: isSet(object.payload) ? Buffer.from(bytesFromBase64(object.payload)) : Buffer.alloc(0),
            payloadType: isSet(object.payloadType) ? globalThis.String(object.payloadType) : "",
            signatures: globalThis.Array.isArray(object?.signatures)
                ? object.signatures.map((e) => exports.Signature.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.payload.length !== 0) {
            obj.payload = base64FromBytes(message.payload);
        }
        if (message.payloadType !== "") {
            obj.payloadType = message.payloadType;
        }
        if (message.signatures?.length) {
            obj.signatures = message.signatures.map((e) => exports.Signature.toJSON(e));
        }
        return obj;
    },
};
exports.Signature = {
    fromJSON(object) {
        return {
            sig: isSet(object.sig) ? Buffer.from(bytesFromBase64(object.sig)) : Buffer.alloc(0),
            keyid: isSet(object.keyid) ? globalThis.String(object.keyid) : "",
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.sig.length !== 0) {
            obj.sig = base64FromBytes(message.sig);
        }
        if (message.keyid !== "") {
            obj.keyid = message.keyid;
        }
        return obj;
    },
};
function bytesFromBase64(b64) {
    return Uint8Array.from(globalThis.Buffer.from(b64, "base64"));
}
function base64FromBytes(arr) {
    return globalThis.Buffer.from(arr).toString("base64");
}
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 5000:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: google/protobuf/timestamp.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Timestamp = void 0;
exports.Timestamp = {
    fromJSON(object) {
        return {
            seconds: isSet(object.seconds) ? globalThis.String(object.seconds) : "0",
            nanos: isSet(object.nanos) ? globalThis.Number(object.nanos) : 0,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.seconds !== "0") {
            obj.seconds = message.seconds;
        }
        if (message.nanos !== 0) {
            obj.nanos = Math.round(message.nanos);
        }
        return obj;
    },
};
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 6764:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: rekor/v2/dsse.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DSSELogEntryV002 = exports.DSSERequestV002 = void 0;
/* eslint-disable */
const envelope_1 = __nccwpck_require__(7030);
const sigstore_common_1 = __nccwpck_require__(5334);
const verifier_1 = __nccwpck_require__(7543);
exports.DSSERequestV002 = {
    fromJSON(object) {
        return {
            envelope: isSet(object.envelope) ? envelope_1.Envelope.fromJSON(object.envelope) : undefined,
            verifiers: globalThis.Array.isArray(object?.verifiers)
                ? object.verifiers.map((e) => verifier_1.Verifier.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.envelope !== undefined) {
            obj.envelope = envelope_1.Envelope.toJSON(message.envelope);
        }
        if (message.verifiers?.length) {
            obj.verifiers = message.verifiers.map((e) => verifier_1.Verifier.toJSON(e));
        }
        return obj;
    },
};
exports.DSSELogEntryV002 = {
    fromJSON(object) {
        return {
            payloadHash: isSet(object.payloadHash) ? sigstore_common_1.HashOutput.fromJSON(object.payloadHash) : undefined,
            signatures: globalThis.Array.isArray(object?.signatures)
                ? object.signatures.map((e) => verifier_1.Signature.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.payloadHash !== undefined) {
            obj.payloadHash = sigstore_common_1.HashOutput.toJSON(message.payloadHash);
        }
        if (message.signatures?.length) {
            obj.signatures = message.signatures.map((e) => verifier_1.Signature.toJSON(e));
        }
        return obj;
    },
};
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 381:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: rekor/v2/entry.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.CreateEntryRequest = exports.Spec = exports.Entry = void 0;
/* eslint-disable */
const dsse_1 = __nccwpck_require__(6764);
const hashedrekord_1 = __nccwpck_require__(4969);
exports.Entry = {
    fromJSON(object) {
        return {
            kind: isSet(object.kind) ? globalThis.String(object.kind) : "",
            apiVersion: isSet(object.apiVersion) ? globalThis.String(object.apiVersion) : "",
            spec: isSet(object.spec) ? exports.Spec.fromJSON(object.spec) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.kind !== "") {
            obj.kind = message.kind;
        }
        if (message.apiVersion !== "") {
            obj.apiVersion = message.apiVersion;
        }
        if (message.spec !== undefined) {
            obj.spec = exports.Spec.toJSON(message.spec);
        }
        return obj;
    },
};
exports.Spec = {
    fromJSON(object) {
        return {
            spec: isSet(object.hashedRekordV002)
                ? { $case: "hashedRekordV002", hashedRekordV002: hashedrekord_1.HashedRekordLogEntryV002.fromJSON(object.hashedRekordV002) }
                : isSet(object.dsseV002)
                    ? { $case: "dsseV002", dsseV002: dsse_1.DSSELogEntryV002.fromJSON(object.dsseV002) }
                    : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.spec?.$case === "hashedRekordV002") {
            obj.hashedRekordV002 = hashedrekord_1.HashedRekordLogEntryV002.toJSON(message.spec.hashedRekordV002);
        }
        else if (message.spec?.$case === "dsseV002") {
            obj.dsseV002 = dsse_1.DSSELogEntryV002.toJSON(message.spec.dsseV002);
        }
        return obj;
    },
};
exports.CreateEntryRequest = {
    fromJSON(object) {
        return {
            spec: isSet(object.hashedRekordRequestV002)
                ? {
                    $case: "hashedRekordRequestV002",
                    hashedRekordRequestV002: hashedrekord_1.HashedRekordRequestV002.fromJSON(object.hashedRekordRequestV002),
                }
                : isSet(object.dsseRequestV002)
                    ? { $case: "dsseRequestV002", dsseRequestV002: dsse_1.DSSERequestV002.fromJSON(object.dsseRequestV002) }
                    : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.spec?.$case === "hashedRekordRequestV002") {
            obj.hashedRekordRequestV002 = hashedrekord_1.HashedRekordRequestV002.toJSON(message.spec.hashedRekordRequestV002);
        }
        else if (message.spec?.$case === "dsseRequestV002") {
            obj.dsseRequestV002 = dsse_1.DSSERequestV002.toJSON(message.spec.dsseRequestV002);
        }
        return obj;
    },
};
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 4969:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: rekor/v2/hashedrekord.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.HashedRekordLogEntryV002 = exports.HashedRekordRequestV002 = void 0;
/* eslint-disable */
const sigstore_common_1 = __nccwpck_require__(5334);
const verifier_1 = __nccwpck_require__(7543);
exports.HashedRekordRequestV002 = {
    fromJSON(object) {
        return {
            digest: isSet(object.digest) ? Buffer.from(bytesFromBase64(object.digest)) : Buffer.alloc(0),
            signature: isSet(object.signature) ? verifier_1.Signature.fromJSON(object.signature) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.digest.length !== 0) {
            obj.digest = base64FromBytes(message.digest);
        }
        if (message.signature !== undefined) {
            obj.signature = verifier_1.Signature.toJSON(message.signature);
        }
        return obj;
    },
};
exports.HashedRekordLogEntryV002 = {
    fromJSON(object) {
        return {
            data: isSet(object.data) ? sigstore_common_1.HashOutput.fromJSON(object.data) : undefined,
            signature: isSet(object.signature) ? verifier_1.Signature.fromJSON(object.signature) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.data !== undefined) {
            obj.data = sigstore_common_1.HashOutput.toJSON(message.data);
        }
        if (message.signature !== undefined) {
            obj.signature = verifier_1.Signature.toJSON(message.signature);
        }
        return obj;
    },
};
function bytesFromBase64(b64) {
    return Uint8Array.from(globalThis.Buffer.from(b64, "base64"));
}
function base64FromBytes(arr) {
    return globalThis.Buffer.from(arr).toString("base64");
}
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 7543:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: rekor/v2/verifier.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Signature = exports.Verifier = exports.PublicKey = void 0;
/* eslint-disable */
const sigstore_common_1 = __nccwpck_require__(5334);
exports.PublicKey = {
    fromJSON(object) {
        return { rawBytes: isSet(object.rawBytes) ? Buffer.from(bytesFromBase64(object.rawBytes)) : Buffer.alloc(0) };
    },
    toJSON(message) {
        const obj = {};
        if (message.rawBytes.length !== 0) {
            obj.rawBytes = base64FromBytes(message.rawBytes);
        }
        return obj;
    },
};
exports.Verifier = {
    fromJSON(object) {
        return {
            verifier: isSet(object.publicKey)
                ? { $case: "publicKey", publicKey: exports.PublicKey.fromJSON(object.publicKey) }
                : isSet(object.x509Certificate)
                    ? { $case: "x509Certificate", x509Certificate: sigstore_common_1.X509Certificate.fromJSON(object.x509Certificate) }
                    : undefined,
            keyDetails: isSet(object.keyDetails) ? (0, sigstore_common_1.publicKeyDetailsFromJSON)(object.keyDetails) : 0,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.verifier?.$case === "publicKey") {
            obj.publicKey = exports.PublicKey.toJSON(message.verifier.publicKey);
        }
        else if (message.verifier?.$case === "x509Certificate") {
            obj.x509Certificate = sigstore_common_1.X509Certificate.toJSON(message.verifier.x509Certificate);
        }
        if (message.keyDetails !== 0) {
            obj.keyDetails = (0, sigstore_common_1.publicKeyDetailsToJSON)(message.keyDetails);
        }
        return obj;
    },
};
exports.Signature = {
    fromJSON(object) {
        return {
            content: isSet(object.content) ? Buffer.from(bytesFromBase64(object.content)) : Buffer.alloc(0),
            verifier: isSet(object.verifier) ? exports.Verifier.fromJSON(object.verifier) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.content.length !== 0) {
            obj.content = base64FromBytes(message.content);
        }
        if (message.verifier !== undefined) {
            obj.verifier = exports.Verifier.toJSON(message.verifier);
        }
        return obj;
    },
};
function bytesFromBase64(b64) {
    return Uint8Array.from(globalThis.Buffer.from(b64, "base64"));
}
function base64FromBytes(arr) {
    return globalThis.Buffer.from(arr).toString("base64");
}
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 715:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: sigstore_bundle.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Bundle = exports.VerificationMaterial = exports.TimestampVerificationData = void 0;
/* eslint-disable */
const envelope_1 = __nccwpck_require__(7030);
const sigstore_common_1 = __nccwpck_require__(5334);
const sigstore_rekor_1 = __nccwpck_require__(5204);
exports.TimestampVerificationData = {
    fromJSON(object) {
        return {
            rfc3161Timestamps: globalThis.Array.isArray(object?.rfc3161Timestamps)
                ? object.rfc3161Timestamps.map((e) => sigstore_common_1.RFC3161SignedTimestamp.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.rfc3161Timestamps?.length) {
            obj.rfc3161Timestamps = message.rfc3161Timestamps.map((e) => sigstore_common_1.RFC3161SignedTimestamp.toJSON(e));
        }
        return obj;
    },
};
exports.VerificationMaterial = {
    fromJSON(object) {
        return {
            content: isSet(object.publicKey)
                ? { $case: "publicKey", publicKey: sigstore_common_1.PublicKeyIdentifier.fromJSON(object.publicKey) }
                : isSet(object.x509CertificateChain)
                    ? {
                        $case: "x509CertificateChain",
                        x509CertificateChain: sigstore_common_1.X509CertificateChain.fromJSON(object.x509CertificateChain),
                    }
                    : isSet(object.certificate)
                        ? { $case: "certificate", certificate: sigstore_common_1.X509Certificate.fromJSON(object.certificate) }
                        : undefined,
            tlogEntries: globalThis.Array.isArray(object?.tlogEntries)
                ? object.tlogEntries.map((e) => sigstore_rekor_1.TransparencyLogEntry.fromJSON(e))
                : [],
            timestampVerificationData: isSet(object.timestampVerificationData)
                ? exports.TimestampVerificationData.fromJSON(object.timestampVerificationData)
                : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.content?.$case === "publicKey") {
            obj.publicKey = sigstore_common_1.PublicKeyIdentifier.toJSON(message.content.publicKey);
        }
        else if (message.content?.$case === "x509CertificateChain") {
            obj.x509CertificateChain = sigstore_common_1.X509CertificateChain.toJSON(message.content.x509CertificateChain);
        }
        else if (message.content?.$case === "certificate") {
            obj.certificate = sigstore_common_1.X509Certificate.toJSON(message.content.certificate);
        }
        if (message.tlogEntries?.length) {
            obj.tlogEntries = message.tlogEntries.map((e) => sigstore_rekor_1.TransparencyLogEntry.toJSON(e));
        }
        if (message.timestampVerificationData !== undefined) {
            obj.timestampVerificationData = exports.TimestampVerificationData.toJSON(message.timestampVerificationData);
        }
        return obj;
    },
};
exports.Bundle = {
    fromJSON(object) {
        return {
            mediaType: isSet(object.mediaType) ? globalThis.String(object.mediaType) : "",
            verificationMaterial: isSet(object.verificationMaterial)
                ? exports.VerificationMaterial.fromJSON(object.verificationMaterial)
                : undefined,
            content: isSet(object.messageSignature)
                ? { $case: "messageSignature", messageSignature: sigstore_common_1.MessageSignature.fromJSON(object.messageSignature) }
                : isSet(object.dsseEnvelope)
                    ? { $case: "dsseEnvelope", dsseEnvelope: envelope_1.Envelope.fromJSON(object.dsseEnvelope) }
                    : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.mediaType !== "") {
            obj.mediaType = message.mediaType;
        }
        if (message.verificationMaterial !== undefined) {
            obj.verificationMaterial = exports.VerificationMaterial.toJSON(message.verificationMaterial);
        }
        if (message.content?.$case === "messageSignature") {
            obj.messageSignature = sigstore_common_1.MessageSignature.toJSON(message.content.messageSignature);
        }
        else if (message.content?.$case === "dsseEnvelope") {
            obj.dsseEnvelope = envelope_1.Envelope.toJSON(message.content.dsseEnvelope);
        }
        return obj;
    },
};
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 5334:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: sigstore_common.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.TimeRange = exports.X509CertificateChain = exports.SubjectAlternativeName = exports.X509Certificate = exports.DistinguishedName = exports.ObjectIdentifierValuePair = exports.ObjectIdentifier = exports.PublicKeyIdentifier = exports.PublicKey = exports.RFC3161SignedTimestamp = exports.LogId = exports.MessageSignature = exports.HashOutput = exports.SubjectAlternativeNameType = exports.PublicKeyDetails = exports.HashAlgorithm = void 0;
exports.hashAlgorithmFromJSON = hashAlgorithmFromJSON;
exports.hashAlgorithmToJSON = hashAlgorithmToJSON;
exports.publicKeyDetailsFromJSON = publicKeyDetailsFromJSON;
exports.publicKeyDetailsToJSON = publicKeyDetailsToJSON;
exports.subjectAlternativeNameTypeFromJSON = subjectAlternativeNameTypeFromJSON;
exports.subjectAlternativeNameTypeToJSON = subjectAlternativeNameTypeToJSON;
/* eslint-disable */
const timestamp_1 = __nccwpck_require__(5000);
/**
 * Only a subset of the secure hash standard algorithms are supported.
 * See <https://nvlpubs.nist.gov/nistpubs/FIPS/NIST.FIPS.180-4.pdf> for more
 * details.
 * UNSPECIFIED SHOULD not be used, primary reason for inclusion is to force
 * any proto JSON serialization to emit the used hash algorithm, as default
 * option is to *omit* the default value of an enum (which is the first
 * value, represented by '0'.
 */
var HashAlgorithm;
(function (HashAlgorithm) {
    HashAlgorithm[HashAlgorithm["HASH_ALGORITHM_UNSPECIFIED"] = 0] = "HASH_ALGORITHM_UNSPECIFIED";
    HashAlgorithm[HashAlgorithm["SHA2_256"] = 1] = "SHA2_256";
    HashAlgorithm[HashAlgorithm["SHA2_384"] = 2] = "SHA2_384";
    HashAlgorithm[HashAlgorithm["SHA2_512"] = 3] = "SHA2_512";
    /**
     * SHA3_256 - Used for LMS
     *
     * @deprecated
     */
    HashAlgorithm[HashAlgorithm["SHA3_256"] = 4] = "SHA3_256";
    /**
     * SHA3_384 - Used for LMS
     *
     * @deprecated
     */
    HashAlgorithm[HashAlgorithm["SHA3_384"] = 5] = "SHA3_384";
})(HashAlgorithm || (exports.HashAlgorithm = HashAlgorithm = {}));
function hashAlgorithmFromJSON(object) {
    switch (object) {
        case 0:
        case "HASH_ALGORITHM_UNSPECIFIED":
            return HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED;
        case 1:
        case "SHA2_256":
            return HashAlgorithm.SHA2_256;
        case 2:
        case "SHA2_384":
            return HashAlgorithm.SHA2_384;
        case 3:
        case "SHA2_512":
            return HashAlgorithm.SHA2_512;
        case 4:
        case "SHA3_256":
            return HashAlgorithm.SHA3_256;
        case 5:
        case "SHA3_384":
            return HashAlgorithm.SHA3_384;
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum HashAlgorithm");
    }
}
function hashAlgorithmToJSON(object) {
    switch (object) {
        case HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED:
            return "HASH_ALGORITHM_UNSPECIFIED";
        case HashAlgorithm.SHA2_256:
            return "SHA2_256";
        case HashAlgorithm.SHA2_384:
            return "SHA2_384";
        case HashAlgorithm.SHA2_512:
            return "SHA2_512";
        case HashAlgorithm.SHA3_256:
            return "SHA3_256";
        case HashAlgorithm.SHA3_384:
            return "SHA3_384";
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum HashAlgorithm");
    }
}
/**
 * Details of a specific public key, capturing the the key encoding method,
 * and signature algorithm.
 *
 * PublicKeyDetails captures the public key/hash algorithm combinations
 * recommended in the Sigstore ecosystem.
 *
 * This is modelled as a linear set as we want to provide a small number of
 * opinionated options instead of allowing every possible permutation.
 *
 * Any changes to this enum MUST be reflected in the algorithm registry.
 *
 * See: <https://github.com/sigstore/architecture-docs/blob/main/algorithm-registry.md>
 *
 * To avoid the possibility of contradicting formats such as PKCS1 with
 * ED25519 the valid permutations are listed as a linear set instead of a
 * cartesian set (i.e one combined variable instead of two, one for encoding
 * and one for the signature algorithm).
 */
var PublicKeyDetails;
(function (PublicKeyDetails) {
    PublicKeyDetails[PublicKeyDetails["PUBLIC_KEY_DETAILS_UNSPECIFIED"] = 0] = "PUBLIC_KEY_DETAILS_UNSPECIFIED";
    /**
     * PKCS1_RSA_PKCS1V5 - RSA
     *
     * @deprecated
     */
    PublicKeyDetails[PublicKeyDetails["PKCS1_RSA_PKCS1V5"] = 1] = "PKCS1_RSA_PKCS1V5";
    /**
     * PKCS1_RSA_PSS - See RFC8017
     *
     * @deprecated
     */
    PublicKeyDetails[PublicKeyDetails["PKCS1_RSA_PSS"] = 2] = "PKCS1_RSA_PSS";
    /** @deprecated */
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PKCS1V5"] = 3] = "PKIX_RSA_PKCS1V5";
    /** @deprecated */
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PSS"] = 4] = "PKIX_RSA_PSS";
    /** PKIX_RSA_PKCS1V15_2048_SHA256 - RSA public key in PKIX format, PKCS#1v1.5 signature */
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PKCS1V15_2048_SHA256"] = 9] = "PKIX_RSA_PKCS1V15_2048_SHA256";
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PKCS1V15_3072_SHA256"] = 10] = "PKIX_RSA_PKCS1V15_3072_SHA256";
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PKCS1V15_4096_SHA256"] = 11] = "PKIX_RSA_PKCS1V15_4096_SHA256";
    /** PKIX_RSA_PSS_2048_SHA256 - RSA public key in PKIX format, RSASSA-PSS signature */
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PSS_2048_SHA256"] = 16] = "PKIX_RSA_PSS_2048_SHA256";
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PSS_3072_SHA256"] = 17] = "PKIX_RSA_PSS_3072_SHA256";
    PublicKeyDetails[PublicKeyDetails["PKIX_RSA_PSS_4096_SHA256"] = 18] = "PKIX_RSA_PSS_4096_SHA256";
    /**
     * PKIX_ECDSA_P256_HMAC_SHA_256 - ECDSA
     *
     * @deprecated
     */
    PublicKeyDetails[PublicKeyDetails["PKIX_ECDSA_P256_HMAC_SHA_256"] = 6] = "PKIX_ECDSA_P256_HMAC_SHA_256";
    /** PKIX_ECDSA_P256_SHA_256 - See NIST FIPS 186-4 */
    PublicKeyDetails[PublicKeyDetails["PKIX_ECDSA_P256_SHA_256"] = 5] = "PKIX_ECDSA_P256_SHA_256";
    PublicKeyDetails[PublicKeyDetails["PKIX_ECDSA_P384_SHA_384"] = 12] = "PKIX_ECDSA_P384_SHA_384";
    PublicKeyDetails[PublicKeyDetails["PKIX_ECDSA_P521_SHA_512"] = 13] = "PKIX_ECDSA_P521_SHA_512";
    /** PKIX_ED25519 - Ed 25519 */
    PublicKeyDetails[PublicKeyDetails["PKIX_ED25519"] = 7] = "PKIX_ED25519";
    PublicKeyDetails[PublicKeyDetails["PKIX_ED25519_PH"] = 8] = "PKIX_ED25519_PH";
    /**
     * PKIX_ECDSA_P384_SHA_256 - These algorithms are deprecated and should not be used, but they
     * were/are being used by most Sigstore clients implementations.
     *
     * @deprecated
     */
    PublicKeyDetails[PublicKeyDetails["PKIX_ECDSA_P384_SHA_256"] = 19] = "PKIX_ECDSA_P384_SHA_256";
    /** @deprecated */
    PublicKeyDetails[PublicKeyDetails["PKIX_ECDSA_P521_SHA_256"] = 20] = "PKIX_ECDSA_P521_SHA_256";
    /**
     * LMS_SHA256 - LMS and LM-OTS
     *
     * These algorithms are deprecated and should not be used.
     * There are no plans to support SLH-DSA at this time.
     *
     * USER WARNING: LMS and LM-OTS are both stateful signature schemes.
     * Using them correctly requires discretion and careful consideration
     * to ensure that individual secret keys are not used more than once.
     * In addition, LM-OTS is a single-use scheme, meaning that it
     * MUST NOT be used for more than one signature per LM-OTS key.
     * If you cannot maintain these invariants, you MUST NOT use these
     * schemes.
     *
     * @deprecated
     */
    PublicKeyDetails[PublicKeyDetails["LMS_SHA256"] = 14] = "LMS_SHA256";
    /** @deprecated */
    PublicKeyDetails[PublicKeyDetails["LMOTS_SHA256"] = 15] = "LMOTS_SHA256";
    /**
     * ML_DSA_44 - ML-DSA
     *
     * These ML_DSA_44, ML_DSA_65 and ML-DSA_87 algorithms are the pure variants
     * that take data to sign rather than the prehash variants (HashML-DSA), which
     * take digests. While considered quantum-resistant, their usage
     * involves tradeoffs in that signatures and keys are much larger, and
     * this makes deployments more costly.
     *
     * USER WARNING: ML_DSA_44, ML_DSA_65 and ML_DSA_87 are experimental algorithms.
     * In the future they MAY be used by private Sigstore deployments, but
     * they are not yet fully functional. This warning will be removed when
     * these algorithms are widely supported by Sigstore clients and servers,
     * but care should still be taken for production environments.
     *
     * See NIST FIPS 204, RFC 9881 for algorithm identifiers
     */
    PublicKeyDetails[PublicKeyDetails["ML_DSA_44"] = 23] = "ML_DSA_44";
    PublicKeyDetails[PublicKeyDetails["ML_DSA_65"] = 21] = "ML_DSA_65";
    PublicKeyDetails[PublicKeyDetails["ML_DSA_87"] = 22] = "ML_DSA_87";
})(PublicKeyDetails || (exports.PublicKeyDetails = PublicKeyDetails = {}));
function publicKeyDetailsFromJSON(object) {
    switch (object) {
        case 0:
        case "PUBLIC_KEY_DETAILS_UNSPECIFIED":
            return PublicKeyDetails.PUBLIC_KEY_DETAILS_UNSPECIFIED;
        case 1:
        case "PKCS1_RSA_PKCS1V5":
            return PublicKeyDetails.PKCS1_RSA_PKCS1V5;
        case 2:
        case "PKCS1_RSA_PSS":
            return PublicKeyDetails.PKCS1_RSA_PSS;
        case 3:
        case "PKIX_RSA_PKCS1V5":
            return PublicKeyDetails.PKIX_RSA_PKCS1V5;
        case 4:
        case "PKIX_RSA_PSS":
            return PublicKeyDetails.PKIX_RSA_PSS;
        case 9:
        case "PKIX_RSA_PKCS1V15_2048_SHA256":
            return PublicKeyDetails.PKIX_RSA_PKCS1V15_2048_SHA256;
        case 10:
        case "PKIX_RSA_PKCS1V15_3072_SHA256":
            return PublicKeyDetails.PKIX_RSA_PKCS1V15_3072_SHA256;
        case 11:
        case "PKIX_RSA_PKCS1V15_4096_SHA256":
            return PublicKeyDetails.PKIX_RSA_PKCS1V15_4096_SHA256;
        case 16:
        case "PKIX_RSA_PSS_2048_SHA256":
            return PublicKeyDetails.PKIX_RSA_PSS_2048_SHA256;
        case 17:
        case "PKIX_RSA_PSS_3072_SHA256":
            return PublicKeyDetails.PKIX_RSA_PSS_3072_SHA256;
        case 18:
        case "PKIX_RSA_PSS_4096_SHA256":
            return PublicKeyDetails.PKIX_RSA_PSS_4096_SHA256;
        case 6:
        case "PKIX_ECDSA_P256_HMAC_SHA_256":
            return PublicKeyDetails.PKIX_ECDSA_P256_HMAC_SHA_256;
        case 5:
        case "PKIX_ECDSA_P256_SHA_256":
            return PublicKeyDetails.PKIX_ECDSA_P256_SHA_256;
        case 12:
        case "PKIX_ECDSA_P384_SHA_384":
            return PublicKeyDetails.PKIX_ECDSA_P384_SHA_384;
        case 13:
        case "PKIX_ECDSA_P521_SHA_512":
            return PublicKeyDetails.PKIX_ECDSA_P521_SHA_512;
        case 7:
        case "PKIX_ED25519":
            return PublicKeyDetails.PKIX_ED25519;
        case 8:
        case "PKIX_ED25519_PH":
            return PublicKeyDetails.PKIX_ED25519_PH;
        case 19:
        case "PKIX_ECDSA_P384_SHA_256":
            return PublicKeyDetails.PKIX_ECDSA_P384_SHA_256;
        case 20:
        case "PKIX_ECDSA_P521_SHA_256":
            return PublicKeyDetails.PKIX_ECDSA_P521_SHA_256;
        case 14:
        case "LMS_SHA256":
            return PublicKeyDetails.LMS_SHA256;
        case 15:
        case "LMOTS_SHA256":
            return PublicKeyDetails.LMOTS_SHA256;
        case 23:
        case "ML_DSA_44":
            return PublicKeyDetails.ML_DSA_44;
        case 21:
        case "ML_DSA_65":
            return PublicKeyDetails.ML_DSA_65;
        case 22:
        case "ML_DSA_87":
            return PublicKeyDetails.ML_DSA_87;
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum PublicKeyDetails");
    }
}
function publicKeyDetailsToJSON(object) {
    switch (object) {
        case PublicKeyDetails.PUBLIC_KEY_DETAILS_UNSPECIFIED:
            return "PUBLIC_KEY_DETAILS_UNSPECIFIED";
        case PublicKeyDetails.PKCS1_RSA_PKCS1V5:
            return "PKCS1_RSA_PKCS1V5";
        case PublicKeyDetails.PKCS1_RSA_PSS:
            return "PKCS1_RSA_PSS";
        case PublicKeyDetails.PKIX_RSA_PKCS1V5:
            return "PKIX_RSA_PKCS1V5";
        case PublicKeyDetails.PKIX_RSA_PSS:
            return "PKIX_RSA_PSS";
        case PublicKeyDetails.PKIX_RSA_PKCS1V15_2048_SHA256:
            return "PKIX_RSA_PKCS1V15_2048_SHA256";
        case PublicKeyDetails.PKIX_RSA_PKCS1V15_3072_SHA256:
            return "PKIX_RSA_PKCS1V15_3072_SHA256";
        case PublicKeyDetails.PKIX_RSA_PKCS1V15_4096_SHA256:
            return "PKIX_RSA_PKCS1V15_4096_SHA256";
        case PublicKeyDetails.PKIX_RSA_PSS_2048_SHA256:
            return "PKIX_RSA_PSS_2048_SHA256";
        case PublicKeyDetails.PKIX_RSA_PSS_3072_SHA256:
            return "PKIX_RSA_PSS_3072_SHA256";
        case PublicKeyDetails.PKIX_RSA_PSS_4096_SHA256:
            return "PKIX_RSA_PSS_4096_SHA256";
        case PublicKeyDetails.PKIX_ECDSA_P256_HMAC_SHA_256:
            return "PKIX_ECDSA_P256_HMAC_SHA_256";
        case PublicKeyDetails.PKIX_ECDSA_P256_SHA_256:
            return "PKIX_ECDSA_P256_SHA_256";
        case PublicKeyDetails.PKIX_ECDSA_P384_SHA_384:
            return "PKIX_ECDSA_P384_SHA_384";
        case PublicKeyDetails.PKIX_ECDSA_P521_SHA_512:
            return "PKIX_ECDSA_P521_SHA_512";
        case PublicKeyDetails.PKIX_ED25519:
            return "PKIX_ED25519";
        case PublicKeyDetails.PKIX_ED25519_PH:
            return "PKIX_ED25519_PH";
        case PublicKeyDetails.PKIX_ECDSA_P384_SHA_256:
            return "PKIX_ECDSA_P384_SHA_256";
        case PublicKeyDetails.PKIX_ECDSA_P521_SHA_256:
            return "PKIX_ECDSA_P521_SHA_256";
        case PublicKeyDetails.LMS_SHA256:
            return "LMS_SHA256";
        case PublicKeyDetails.LMOTS_SHA256:
            return "LMOTS_SHA256";
        case PublicKeyDetails.ML_DSA_44:
            return "ML_DSA_44";
        case PublicKeyDetails.ML_DSA_65:
            return "ML_DSA_65";
        case PublicKeyDetails.ML_DSA_87:
            return "ML_DSA_87";
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum PublicKeyDetails");
    }
}
var SubjectAlternativeNameType;
(function (SubjectAlternativeNameType) {
    SubjectAlternativeNameType[SubjectAlternativeNameType["SUBJECT_ALTERNATIVE_NAME_TYPE_UNSPECIFIED"] = 0] = "SUBJECT_ALTERNATIVE_NAME_TYPE_UNSPECIFIED";
    SubjectAlternativeNameType[SubjectAlternativeNameType["EMAIL"] = 1] = "EMAIL";
    SubjectAlternativeNameType[SubjectAlternativeNameType["URI"] = 2] = "URI";
    /**
     * OTHER_NAME - OID 1.3.6.1.4.1.57264.1.7
     * See https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md#1361415726417--othername-san
     * for more details.
     */
    SubjectAlternativeNameType[SubjectAlternativeNameType["OTHER_NAME"] = 3] = "OTHER_NAME";
})(SubjectAlternativeNameType || (exports.SubjectAlternativeNameType = SubjectAlternativeNameType = {}));
function subjectAlternativeNameTypeFromJSON(object) {
    switch (object) {
        case 0:
        case "SUBJECT_ALTERNATIVE_NAME_TYPE_UNSPECIFIED":
            return SubjectAlternativeNameType.SUBJECT_ALTERNATIVE_NAME_TYPE_UNSPECIFIED;
        case 1:
        case "EMAIL":
            return SubjectAlternativeNameType.EMAIL;
        case 2:
        case "URI":
            return SubjectAlternativeNameType.URI;
        case 3:
        case "OTHER_NAME":
            return SubjectAlternativeNameType.OTHER_NAME;
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum SubjectAlternativeNameType");
    }
}
function subjectAlternativeNameTypeToJSON(object) {
    switch (object) {
        case SubjectAlternativeNameType.SUBJECT_ALTERNATIVE_NAME_TYPE_UNSPECIFIED:
            return "SUBJECT_ALTERNATIVE_NAME_TYPE_UNSPECIFIED";
        case SubjectAlternativeNameType.EMAIL:
            return "EMAIL";
        case SubjectAlternativeNameType.URI:
            return "URI";
        case SubjectAlternativeNameType.OTHER_NAME:
            return "OTHER_NAME";
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum SubjectAlternativeNameType");
    }
}
exports.HashOutput = {
    fromJSON(object) {
        return {
            algorithm: isSet(object.algorithm) ? hashAlgorithmFromJSON(object.algorithm) : 0,
            digest: isSet(object.digest) ? Buffer.from(bytesFromBase64(object.digest)) : Buffer.alloc(0),
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.algorithm !== 0) {
            obj.algorithm = hashAlgorithmToJSON(message.algorithm);
        }
        if (message.digest.length !== 0) {
            obj.digest = base64FromBytes(message.digest);
        }
        return obj;
    },
};
exports.MessageSignature = {
    fromJSON(object) {
        return {
            messageDigest: isSet(object.messageDigest) ? exports.HashOutput.fromJSON(object.messageDigest) : undefined,
            signature: isSet(object.signature) ? Buffer.from(bytesFromBase64(object.signature)) : Buffer.alloc(0),
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.messageDigest !== undefined) {
            obj.messageDigest = exports.HashOutput.toJSON(message.messageDigest);
        }
        if (message.signature.length !== 0) {
            obj.signature = base64FromBytes(message.signature);
        }
        return obj;
    },
};
exports.LogId = {
    fromJSON(object) {
        return { keyId: isSet(object.keyId) ? Buffer.from(bytesFromBase64(object.keyId)) : Buffer.alloc(0) };
    },
    toJSON(message) {
        const obj = {};
        if (message.keyId.length !== 0) {
            obj.keyId = base64FromBytes(message.keyId);
        }
        return obj;
    },
};
exports.RFC3161SignedTimestamp = {
    fromJSON(object) {
        return {
            signedTimestamp: isSet(object.signedTimestamp)
                ? Buffer.from(bytesFromBase64(object.signedTimestamp))
                : Buffer.alloc(0),
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.signedTimestamp.length !== 0) {
            obj.signedTimestamp = base64FromBytes(message.signedTimestamp);
        }
        return obj;
    },
};
exports.PublicKey = {
    fromJSON(object) {
        return {
            rawBytes: isSet(object.rawBytes) ? Buffer.from(bytesFromBase64(object.rawBytes)) : undefined,
            keyDetails: isSet(object.keyDetails) ? publicKeyDetailsFromJSON(object.keyDetails) : 0,
            validFor: isSet(object.validFor) ? exports.TimeRange.fromJSON(object.validFor) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.rawBytes !== undefined) {
            obj.rawBytes = base64FromBytes(message.rawBytes);
        }
        if (message.keyDetails !== 0) {
            obj.keyDetails = publicKeyDetailsToJSON(message.keyDetails);
        }
        if (message.validFor !== undefined) {
            obj.validFor = exports.TimeRange.toJSON(message.validFor);
        }
        return obj;
    },
};
exports.PublicKeyIdentifier = {
    fromJSON(object) {
        return { hint: isSet(object.hint) ? globalThis.String(object.hint) : "" };
    },
    toJSON(message) {
        const obj = {};
        if (message.hint !== "") {
            obj.hint = message.hint;
        }
        return obj;
    },
};
exports.ObjectIdentifier = {
    fromJSON(object) {
        return { id: globalThis.Array.isArray(object?.id) ? object.id.map((e) => globalThis.Number(e)) : [] };
    },
    toJSON(message) {
        const obj = {};
        if (message.id?.length) {
            obj.id = message.id.map((e) => Math.round(e));
        }
        return obj;
    },
};
exports.ObjectIdentifierValuePair = {
    fromJSON(object) {
        return {
            oid: isSet(object.oid) ? exports.ObjectIdentifier.fromJSON(object.oid) : undefined,
            value: isSet(object.value) ? Buffer.from(bytesFromBase64(object.value)) : Buffer.alloc(0),
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.oid !== undefined) {
            obj.oid = exports.ObjectIdentifier.toJSON(message.oid);
        }
        if (message.value.length !== 0) {
            obj.value = base64FromBytes(message.value);
        }
        return obj;
    },
};
exports.DistinguishedName = {
    fromJSON(object) {
        return {
            organization: isSet(object.organization) ? globalThis.String(object.organization) : "",
            commonName: isSet(object.commonName) ? globalThis.String(object.commonName) : "",
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.organization !== "") {
            obj.organization = message.organization;
        }
        if (message.commonName !== "") {
            obj.commonName = message.commonName;
        }
        return obj;
    },
};
exports.X509Certificate = {
    fromJSON(object) {
        return { rawBytes: isSet(object.rawBytes) ? Buffer.from(bytesFromBase64(object.rawBytes)) : Buffer.alloc(0) };
    },
    toJSON(message) {
        const obj = {};
        if (message.rawBytes.length !== 0) {
            obj.rawBytes = base64FromBytes(message.rawBytes);
        }
        return obj;
    },
};
exports.SubjectAlternativeName = {
    fromJSON(object) {
        return {
            type: isSet(object.type) ? subjectAlternativeNameTypeFromJSON(object.type) : 0,
            identity: isSet(object.regexp)
                ? { $case: "regexp", regexp: globalThis.String(object.regexp) }
                : isSet(object.value)
                    ? { $case: "value", value: globalThis.String(object.value) }
                    : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.type !== 0) {
            obj.type = subjectAlternativeNameTypeToJSON(message.type);
        }
        if (message.identity?.$case === "regexp") {
            obj.regexp = message.identity.regexp;
        }
        else if (message.identity?.$case === "value") {
            obj.value = message.identity.value;
        }
        return obj;
    },
};
exports.X509CertificateChain = {
    fromJSON(object) {
        return {
            certificates: globalThis.Array.isArray(object?.certificates)
                ? object.certificates.map((e) => exports.X509Certificate.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.certificates?.length) {
            obj.certificates = message.certificates.map((e) => exports.X509Certificate.toJSON(e));
        }
        return obj;
    },
};
exports.TimeRange = {
    fromJSON(object) {
        return {
            start: isSet(object.start) ? fromJsonTimestamp(object.start) : undefined,
            end: isSet(object.end) ? fromJsonTimestamp(object.end) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.start !== undefined) {
            obj.start = message.start.toISOString();
        }
        if (message.end !== undefined) {
            obj.end = message.end.toISOString();
        }
        return obj;
    },
};
function bytesFromBase64(b64) {
    return Uint8Array.from(globalThis.Buffer.from(b64, "base64"));
}
function base64FromBytes(arr) {
    return globalThis.Buffer.from(arr).toString("base64");
}
function fromTimestamp(t) {
    let millis = (globalThis.Number(t.seconds) || 0) * 1_000;
    millis += (t.nanos || 0) / 1_000_000;
    return new globalThis.Date(millis);
}
function fromJsonTimestamp(o) {
    if (o instanceof globalThis.Date) {
        return o;
    }
    else if (typeof o === "string") {
        return new globalThis.Date(o);
    }
    else {
        return fromTimestamp(timestamp_1.Timestamp.fromJSON(o));
    }
}
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 5204:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: sigstore_rekor.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.TransparencyLogEntry = exports.InclusionPromise = exports.InclusionProof = exports.Checkpoint = exports.KindVersion = void 0;
/* eslint-disable */
const sigstore_common_1 = __nccwpck_require__(5334);
exports.KindVersion = {
    fromJSON(object) {
        return {
            kind: isSet(object.kind) ? globalThis.String(object.kind) : "",
            version: isSet(object.version) ? globalThis.String(object.version) : "",
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.kind !== "") {
            obj.kind = message.kind;
        }
        if (message.version !== "") {
            obj.version = message.version;
        }
        return obj;
    },
};
exports.Checkpoint = {
    fromJSON(object) {
        return { envelope: isSet(object.envelope) ? globalThis.String(object.envelope) : "" };
    },
    toJSON(message) {
        const obj = {};
        if (message.envelope !== "") {
            obj.envelope = message.envelope;
        }
        return obj;
    },
};
exports.InclusionProof = {
    fromJSON(object) {
        return {
            logIndex: isSet(object.logIndex) ? globalThis.String(object.logIndex) : "0",
            rootHash: isSet(object.rootHash) ? Buffer.from(bytesFromBase64(object.rootHash)) : Buffer.alloc(0),
            treeSize: isSet(object.treeSize) ? globalThis.String(object.treeSize) : "0",
            hashes: globalThis.Array.isArray(object?.hashes)
                ? object.hashes.map((e) => Buffer.from(bytesFromBase64(e)))
                : [],
            checkpoint: isSet(object.checkpoint) ? exports.Checkpoint.fromJSON(object.checkpoint) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.logIndex !== "0") {
            obj.logIndex = message.logIndex;
        }
        if (message.rootHash.length !== 0) {
            obj.rootHash = base64FromBytes(message.rootHash);
        }
        if (message.treeSize !== "0") {
            obj.treeSize = message.treeSize;
        }
        if (message.hashes?.length) {
            obj.hashes = message.hashes.map((e) => base64FromBytes(e));
        }
        if (message.checkpoint !== undefined) {
            obj.checkpoint = exports.Checkpoint.toJSON(message.checkpoint);
        }
        return obj;
    },
};
exports.InclusionPromise = {
    fromJSON(object) {
        return {
            signedEntryTimestamp: isSet(object.signedEntryTimestamp)
                ? Buffer.from(bytesFromBase64(object.signedEntryTimestamp))
                : Buffer.alloc(0),
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.signedEntryTimestamp.length !== 0) {
            obj.signedEntryTimestamp = base64FromBytes(message.signedEntryTimestamp);
        }
        return obj;
    },
};
exports.TransparencyLogEntry = {
    fromJSON(object) {
        return {
            logIndex: isSet(object.logIndex) ? globalThis.String(object.logIndex) : "0",
            logId: isSet(object.logId) ? sigstore_common_1.LogId.fromJSON(object.logId) : undefined,
            kindVersion: isSet(object.kindVersion) ? exports.KindVersion.fromJSON(object.kindVersion) : undefined,
            integratedTime: isSet(object.integratedTime) ? globalThis.String(object.integratedTime) : "0",
            inclusionPromise: isSet(object.inclusionPromise) ? exports.InclusionPromise.fromJSON(object.inclusionPromise) : undefined,
            inclusionProof: isSet(object.inclusionProof) ? exports.InclusionProof.fromJSON(object.inclusionProof) : undefined,
            canonicalizedBody: isSet(object.canonicalizedBody)
                ? Buffer.from(bytesFromBase64(object.canonicalizedBody))
                : Buffer.alloc(0),
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.logIndex !== "0") {
            obj.logIndex = message.logIndex;
        }
        if (message.logId !== undefined) {
            obj.logId = sigstore_common_1.LogId.toJSON(message.logId);
        }
        if (message.kindVersion !== undefined) {
            obj.kindVersion = exports.KindVersion.toJSON(message.kindVersion);
        }
        if (message.integratedTime !== "0") {
            obj.integratedTime = message.integratedTime;
        }
        if (message.inclusionPromise !== undefined) {
            obj.inclusionPromise = exports.InclusionPromise.toJSON(message.inclusionPromise);
        }
        if (message.inclusionProof !== undefined) {
            obj.inclusionProof = exports.InclusionProof.toJSON(message.inclusionProof);
        }
        if (message.canonicalizedBody.length !== 0) {
            obj.canonicalizedBody = base64FromBytes(message.canonicalizedBody);
        }
        return obj;
    },
};
function bytesFromBase64(b64) {
    return Uint8Array.from(globalThis.Buffer.from(b64, "base64"));
}
function base64FromBytes(arr) {
    return globalThis.Buffer.from(arr).toString("base64");
}
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 1997:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: sigstore_trustroot.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ClientTrustConfig = exports.ServiceConfiguration = exports.Service = exports.SigningConfig = exports.TrustedRoot = exports.CertificateAuthority = exports.TransparencyLogInstance = exports.ServiceSelector = void 0;
exports.serviceSelectorFromJSON = serviceSelectorFromJSON;
exports.serviceSelectorToJSON = serviceSelectorToJSON;
/* eslint-disable */
const sigstore_common_1 = __nccwpck_require__(5334);
/**
 * ServiceSelector specifies how a client SHOULD select a set of
 * Services to connect to. A client SHOULD throw an error if
 * the value is SERVICE_SELECTOR_UNDEFINED.
 */
var ServiceSelector;
(function (ServiceSelector) {
    ServiceSelector[ServiceSelector["SERVICE_SELECTOR_UNDEFINED"] = 0] = "SERVICE_SELECTOR_UNDEFINED";
    /**
     * ALL - Clients SHOULD select all Services based on supported API version
     * and validity window.
     */
    ServiceSelector[ServiceSelector["ALL"] = 1] = "ALL";
    /**
     * ANY - Clients SHOULD select one Service based on supported API version
     * and validity window. It is up to the client implementation to
     * decide how to select the Service, e.g. random or round-robin.
     */
    ServiceSelector[ServiceSelector["ANY"] = 2] = "ANY";
    /**
     * EXACT - Clients SHOULD select a specific number of Services based on
     * supported API version and validity window, using the provided
     * `count`. It is up to the client implementation to decide how to
     * select the Service, e.g. random or round-robin.
     */
    ServiceSelector[ServiceSelector["EXACT"] = 3] = "EXACT";
})(ServiceSelector || (exports.ServiceSelector = ServiceSelector = {}));
function serviceSelectorFromJSON(object) {
    switch (object) {
        case 0:
        case "SERVICE_SELECTOR_UNDEFINED":
            return ServiceSelector.SERVICE_SELECTOR_UNDEFINED;
        case 1:
        case "ALL":
            return ServiceSelector.ALL;
        case 2:
        case "ANY":
            return ServiceSelector.ANY;
        case 3:
        case "EXACT":
            return ServiceSelector.EXACT;
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum ServiceSelector");
    }
}
function serviceSelectorToJSON(object) {
    switch (object) {
        case ServiceSelector.SERVICE_SELECTOR_UNDEFINED:
            return "SERVICE_SELECTOR_UNDEFINED";
        case ServiceSelector.ALL:
            return "ALL";
        case ServiceSelector.ANY:
            return "ANY";
        case ServiceSelector.EXACT:
            return "EXACT";
        default:
            throw new globalThis.Error("Unrecognized enum value " + object + " for enum ServiceSelector");
    }
}
exports.TransparencyLogInstance = {
    fromJSON(object) {
        return {
            baseUrl: isSet(object.baseUrl) ? globalThis.String(object.baseUrl) : "",
            hashAlgorithm: isSet(object.hashAlgorithm) ? (0, sigstore_common_1.hashAlgorithmFromJSON)(object.hashAlgorithm) : 0,
            publicKey: isSet(object.publicKey) ? sigstore_common_1.PublicKey.fromJSON(object.publicKey) : undefined,
            logId: isSet(object.logId) ? sigstore_common_1.LogId.fromJSON(object.logId) : undefined,
            checkpointKeyId: isSet(object.checkpointKeyId) ? sigstore_common_1.LogId.fromJSON(object.checkpointKeyId) : undefined,
            operator: isSet(object.operator) ? globalThis.String(object.operator) : "",
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.baseUrl !== "") {
            obj.baseUrl = message.baseUrl;
        }
        if (message.hashAlgorithm !== 0) {
            obj.hashAlgorithm = (0, sigstore_common_1.hashAlgorithmToJSON)(message.hashAlgorithm);
        }
        if (message.publicKey !== undefined) {
            obj.publicKey = sigstore_common_1.PublicKey.toJSON(message.publicKey);
        }
        if (message.logId !== undefined) {
            obj.logId = sigstore_common_1.LogId.toJSON(message.logId);
        }
        if (message.checkpointKeyId !== undefined) {
            obj.checkpointKeyId = sigstore_common_1.LogId.toJSON(message.checkpointKeyId);
        }
        if (message.operator !== "") {
            obj.operator = message.operator;
        }
        return obj;
    },
};
exports.CertificateAuthority = {
    fromJSON(object) {
        return {
            subject: isSet(object.subject) ? sigstore_common_1.DistinguishedName.fromJSON(object.subject) : undefined,
            uri: isSet(object.uri) ? globalThis.String(object.uri) : "",
            certChain: isSet(object.certChain) ? sigstore_common_1.X509CertificateChain.fromJSON(object.certChain) : undefined,
            validFor: isSet(object.validFor) ? sigstore_common_1.TimeRange.fromJSON(object.validFor) : undefined,
            operator: isSet(object.operator) ? globalThis.String(object.operator) : "",
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.subject !== undefined) {
            obj.subject = sigstore_common_1.DistinguishedName.toJSON(message.subject);
        }
        if (message.uri !== "") {
            obj.uri = message.uri;
        }
        if (message.certChain !== undefined) {
            obj.certChain = sigstore_common_1.X509CertificateChain.toJSON(message.certChain);
        }
        if (message.validFor !== undefined) {
            obj.validFor = sigstore_common_1.TimeRange.toJSON(message.validFor);
        }
        if (message.operator !== "") {
            obj.operator = message.operator;
        }
        return obj;
    },
};
exports.TrustedRoot = {
    fromJSON(object) {
        return {
            mediaType: isSet(object.mediaType) ? globalThis.String(object.mediaType) : "",
            tlogs: globalThis.Array.isArray(object?.tlogs)
                ? object.tlogs.map((e) => exports.TransparencyLogInstance.fromJSON(e))
                : [],
            certificateAuthorities: globalThis.Array.isArray(object?.certificateAuthorities)
                ? object.certificateAuthorities.map((e) => exports.CertificateAuthority.fromJSON(e))
                : [],
            ctlogs: globalThis.Array.isArray(object?.ctlogs)
                ? object.ctlogs.map((e) => exports.TransparencyLogInstance.fromJSON(e))
                : [],
            timestampAuthorities: globalThis.Array.isArray(object?.timestampAuthorities)
                ? object.timestampAuthorities.map((e) => exports.CertificateAuthority.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.mediaType !== "") {
            obj.mediaType = message.mediaType;
        }
        if (message.tlogs?.length) {
            obj.tlogs = message.tlogs.map((e) => exports.TransparencyLogInstance.toJSON(e));
        }
        if (message.certificateAuthorities?.length) {
            obj.certificateAuthorities = message.certificateAuthorities.map((e) => exports.CertificateAuthority.toJSON(e));
        }
        if (message.ctlogs?.length) {
            obj.ctlogs = message.ctlogs.map((e) => exports.TransparencyLogInstance.toJSON(e));
        }
        if (message.timestampAuthorities?.length) {
            obj.timestampAuthorities = message.timestampAuthorities.map((e) => exports.CertificateAuthority.toJSON(e));
        }
        return obj;
    },
};
exports.SigningConfig = {
    fromJSON(object) {
        return {
            mediaType: isSet(object.mediaType) ? globalThis.String(object.mediaType) : "",
            caUrls: globalThis.Array.isArray(object?.caUrls) ? object.caUrls.map((e) => exports.Service.fromJSON(e)) : [],
            oidcUrls: globalThis.Array.isArray(object?.oidcUrls) ? object.oidcUrls.map((e) => exports.Service.fromJSON(e)) : [],
            rekorTlogUrls: globalThis.Array.isArray(object?.rekorTlogUrls)
                ? object.rekorTlogUrls.map((e) => exports.Service.fromJSON(e))
                : [],
            rekorTlogConfig: isSet(object.rekorTlogConfig)
                ? exports.ServiceConfiguration.fromJSON(object.rekorTlogConfig)
                : undefined,
            tsaUrls: globalThis.Array.isArray(object?.tsaUrls) ? object.tsaUrls.map((e) => exports.Service.fromJSON(e)) : [],
            tsaConfig: isSet(object.tsaConfig) ? exports.ServiceConfiguration.fromJSON(object.tsaConfig) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.mediaType !== "") {
            obj.mediaType = message.mediaType;
        }
        if (message.caUrls?.length) {
            obj.caUrls = message.caUrls.map((e) => exports.Service.toJSON(e));
        }
        if (message.oidcUrls?.length) {
            obj.oidcUrls = message.oidcUrls.map((e) => exports.Service.toJSON(e));
        }
        if (message.rekorTlogUrls?.length) {
            obj.rekorTlogUrls = message.rekorTlogUrls.map((e) => exports.Service.toJSON(e));
        }
        if (message.rekorTlogConfig !== undefined) {
            obj.rekorTlogConfig = exports.ServiceConfiguration.toJSON(message.rekorTlogConfig);
        }
        if (message.tsaUrls?.length) {
            obj.tsaUrls = message.tsaUrls.map((e) => exports.Service.toJSON(e));
        }
        if (message.tsaConfig !== undefined) {
            obj.tsaConfig = exports.ServiceConfiguration.toJSON(message.tsaConfig);
        }
        return obj;
    },
};
exports.Service = {
    fromJSON(object) {
        return {
            url: isSet(object.url) ? globalThis.String(object.url) : "",
            majorApiVersion: isSet(object.majorApiVersion) ? globalThis.Number(object.majorApiVersion) : 0,
            validFor: isSet(object.validFor) ? sigstore_common_1.TimeRange.fromJSON(object.validFor) : undefined,
            operator: isSet(object.operator) ? globalThis.String(object.operator) : "",
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.url !== "") {
            obj.url = message.url;
        }
        if (message.majorApiVersion !== 0) {
            obj.majorApiVersion = Math.round(message.majorApiVersion);
        }
        if (message.validFor !== undefined) {
            obj.validFor = sigstore_common_1.TimeRange.toJSON(message.validFor);
        }
        if (message.operator !== "") {
            obj.operator = message.operator;
        }
        return obj;
    },
};
exports.ServiceConfiguration = {
    fromJSON(object) {
        return {
            selector: isSet(object.selector) ? serviceSelectorFromJSON(object.selector) : 0,
            count: isSet(object.count) ? globalThis.Number(object.count) : 0,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.selector !== 0) {
            obj.selector = serviceSelectorToJSON(message.selector);
        }
        if (message.count !== 0) {
            obj.count = Math.round(message.count);
        }
        return obj;
    },
};
exports.ClientTrustConfig = {
    fromJSON(object) {
        return {
            mediaType: isSet(object.mediaType) ? globalThis.String(object.mediaType) : "",
            trustedRoot: isSet(object.trustedRoot) ? exports.TrustedRoot.fromJSON(object.trustedRoot) : undefined,
            signingConfig: isSet(object.signingConfig) ? exports.SigningConfig.fromJSON(object.signingConfig) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.mediaType !== "") {
            obj.mediaType = message.mediaType;
        }
        if (message.trustedRoot !== undefined) {
            obj.trustedRoot = exports.TrustedRoot.toJSON(message.trustedRoot);
        }
        if (message.signingConfig !== undefined) {
            obj.signingConfig = exports.SigningConfig.toJSON(message.signingConfig);
        }
        return obj;
    },
};
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 9732:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

// Code generated by protoc-gen-ts_proto. DO NOT EDIT.
// versions:
//   protoc-gen-ts_proto  v2.12.0
//   protoc               v7.35.1
// source: sigstore_verification.proto
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Input = exports.Artifact = exports.ArtifactVerificationOptions_ObserverTimestampOptions = exports.ArtifactVerificationOptions_TlogIntegratedTimestampOptions = exports.ArtifactVerificationOptions_TimestampAuthorityOptions = exports.ArtifactVerificationOptions_CtlogOptions = exports.ArtifactVerificationOptions_TlogOptions = exports.ArtifactVerificationOptions = exports.PublicKeyIdentities = exports.CertificateIdentities = exports.CertificateIdentity = void 0;
/* eslint-disable */
const sigstore_bundle_1 = __nccwpck_require__(715);
const sigstore_common_1 = __nccwpck_require__(5334);
const sigstore_trustroot_1 = __nccwpck_require__(1997);
exports.CertificateIdentity = {
    fromJSON(object) {
        return {
            issuer: isSet(object.issuer) ? globalThis.String(object.issuer) : "",
            san: isSet(object.san) ? sigstore_common_1.SubjectAlternativeName.fromJSON(object.san) : undefined,
            oids: globalThis.Array.isArray(object?.oids)
                ? object.oids.map((e) => sigstore_common_1.ObjectIdentifierValuePair.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.issuer !== "") {
            obj.issuer = message.issuer;
        }
        if (message.san !== undefined) {
            obj.san = sigstore_common_1.SubjectAlternativeName.toJSON(message.san);
        }
        if (message.oids?.length) {
            obj.oids = message.oids.map((e) => sigstore_common_1.ObjectIdentifierValuePair.toJSON(e));
        }
        return obj;
    },
};
exports.CertificateIdentities = {
    fromJSON(object) {
        return {
            identities: globalThis.Array.isArray(object?.identities)
                ? object.identities.map((e) => exports.CertificateIdentity.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.identities?.length) {
            obj.identities = message.identities.map((e) => exports.CertificateIdentity.toJSON(e));
        }
        return obj;
    },
};
exports.PublicKeyIdentities = {
    fromJSON(object) {
        return {
            publicKeys: globalThis.Array.isArray(object?.publicKeys)
                ? object.publicKeys.map((e) => sigstore_common_1.PublicKey.fromJSON(e))
                : [],
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.publicKeys?.length) {
            obj.publicKeys = message.publicKeys.map((e) => sigstore_common_1.PublicKey.toJSON(e));
        }
        return obj;
    },
};
exports.ArtifactVerificationOptions = {
    fromJSON(object) {
        return {
            signers: isSet(object.certificateIdentities)
                ? {
                    $case: "certificateIdentities",
                    certificateIdentities: exports.CertificateIdentities.fromJSON(object.certificateIdentities),
                }
                : isSet(object.publicKeys)
                    ? { $case: "publicKeys", publicKeys: exports.PublicKeyIdentities.fromJSON(object.publicKeys) }
                    : undefined,
            tlogOptions: isSet(object.tlogOptions)
                ? exports.ArtifactVerificationOptions_TlogOptions.fromJSON(object.tlogOptions)
                : undefined,
            ctlogOptions: isSet(object.ctlogOptions)
                ? exports.ArtifactVerificationOptions_CtlogOptions.fromJSON(object.ctlogOptions)
                : undefined,
            tsaOptions: isSet(object.tsaOptions)
                ? exports.ArtifactVerificationOptions_TimestampAuthorityOptions.fromJSON(object.tsaOptions)
                : undefined,
            integratedTsOptions: isSet(object.integratedTsOptions)
                ? exports.ArtifactVerificationOptions_TlogIntegratedTimestampOptions.fromJSON(object.integratedTsOptions)
                : undefined,
            observerOptions: isSet(object.observerOptions)
                ? exports.ArtifactVerificationOptions_ObserverTimestampOptions.fromJSON(object.observerOptions)
                : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.signers?.$case === "certificateIdentities") {
            obj.certificateIdentities = exports.CertificateIdentities.toJSON(message.signers.certificateIdentities);
        }
        else if (message.signers?.$case === "publicKeys") {
            obj.publicKeys = exports.PublicKeyIdentities.toJSON(message.signers.publicKeys);
        }
        if (message.tlogOptions !== undefined) {
            obj.tlogOptions = exports.ArtifactVerificationOptions_TlogOptions.toJSON(message.tlogOptions);
        }
        if (message.ctlogOptions !== undefined) {
            obj.ctlogOptions = exports.ArtifactVerificationOptions_CtlogOptions.toJSON(message.ctlogOptions);
        }
        if (message.tsaOptions !== undefined) {
            obj.tsaOptions = exports.ArtifactVerificationOptions_TimestampAuthorityOptions.toJSON(message.tsaOptions);
        }
        if (message.integratedTsOptions !== undefined) {
            obj.integratedTsOptions = exports.ArtifactVerificationOptions_TlogIntegratedTimestampOptions.toJSON(message.integratedTsOptions);
        }
        if (message.observerOptions !== undefined) {
            obj.observerOptions = exports.ArtifactVerificationOptions_ObserverTimestampOptions.toJSON(message.observerOptions);
        }
        return obj;
    },
};
exports.ArtifactVerificationOptions_TlogOptions = {
    fromJSON(object) {
        return {
            threshold: isSet(object.threshold) ? globalThis.Number(object.threshold) : 0,
            performOnlineVerification: isSet(object.performOnlineVerification)
                ? globalThis.Boolean(object.performOnlineVerification)
                : false,
            disable: isSet(object.disable) ? globalThis.Boolean(object.disable) : false,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.threshold !== 0) {
            obj.threshold = Math.round(message.threshold);
        }
        if (message.performOnlineVerification !== false) {
            obj.performOnlineVerification = message.performOnlineVerification;
        }
        if (message.disable !== false) {
            obj.disable = message.disable;
        }
        return obj;
    },
};
exports.ArtifactVerificationOptions_CtlogOptions = {
    fromJSON(object) {
        return {
            threshold: isSet(object.threshold) ? globalThis.Number(object.threshold) : 0,
            disable: isSet(object.disable) ? globalThis.Boolean(object.disable) : false,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.threshold !== 0) {
            obj.threshold = Math.round(message.threshold);
        }
        if (message.disable !== false) {
            obj.disable = message.disable;
        }
        return obj;
    },
};
exports.ArtifactVerificationOptions_TimestampAuthorityOptions = {
    fromJSON(object) {
        return {
            threshold: isSet(object.threshold) ? globalThis.Number(object.threshold) : 0,
            disable: isSet(object.disable) ? globalThis.Boolean(object.disable) : false,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.threshold !== 0) {
            obj.threshold = Math.round(message.threshold);
        }
        if (message.disable !== false) {
            obj.disable = message.disable;
        }
        return obj;
    },
};
exports.ArtifactVerificationOptions_TlogIntegratedTimestampOptions = {
    fromJSON(object) {
        return {
            threshold: isSet(object.threshold) ? globalThis.Number(object.threshold) : 0,
            disable: isSet(object.disable) ? globalThis.Boolean(object.disable) : false,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.threshold !== 0) {
            obj.threshold = Math.round(message.threshold);
        }
        if (message.disable !== false) {
            obj.disable = message.disable;
        }
        return obj;
    },
};
exports.ArtifactVerificationOptions_ObserverTimestampOptions = {
    fromJSON(object) {
        return {
            threshold: isSet(object.threshold) ? globalThis.Number(object.threshold) : 0,
            disable: isSet(object.disable) ? globalThis.Boolean(object.disable) : false,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.threshold !== 0) {
            obj.threshold = Math.round(message.threshold);
        }
        if (message.disable !== false) {
            obj.disable = message.disable;
        }
        return obj;
    },
};
exports.Artifact = {
    fromJSON(object) {
        return {
            data: isSet(object.artifactUri)
                ? { $case: "artifactUri", artifactUri: globalThis.String(object.artifactUri) }
                : isSet(object.artifact)
                    ? { $case: "artifact", artifact: Buffer.from(bytesFromBase64(object.artifact)) }
                    : isSet(object.artifactDigest)
                        ? { $case: "artifactDigest", artifactDigest: sigstore_common_1.HashOutput.fromJSON(object.artifactDigest) }
                        : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.data?.$case === "artifactUri") {
            obj.artifactUri = message.data.artifactUri;
        }
        else if (message.data?.$case === "artifact") {
            obj.artifact = base64FromBytes(message.data.artifact);
        }
        else if (message.data?.$case === "artifactDigest") {
            obj.artifactDigest = sigstore_common_1.HashOutput.toJSON(message.data.artifactDigest);
        }
        return obj;
    },
};
exports.Input = {
    fromJSON(object) {
        return {
            artifactTrustRoot: isSet(object.artifactTrustRoot) ? sigstore_trustroot_1.TrustedRoot.fromJSON(object.artifactTrustRoot) : undefined,
            artifactVerificationOptions: isSet(object.artifactVerificationOptions)
                ? exports.ArtifactVerificationOptions.fromJSON(object.artifactVerificationOptions)
                : undefined,
            bundle: isSet(object.bundle) ? sigstore_bundle_1.Bundle.fromJSON(object.bundle) : undefined,
            artifact: isSet(object.artifact) ? exports.Artifact.fromJSON(object.artifact) : undefined,
        };
    },
    toJSON(message) {
        const obj = {};
        if (message.artifactTrustRoot !== undefined) {
            obj.artifactTrustRoot = sigstore_trustroot_1.TrustedRoot.toJSON(message.artifactTrustRoot);
        }
        if (message.artifactVerificationOptions !== undefined) {
            obj.artifactVerificationOptions = exports.ArtifactVerificationOptions.toJSON(message.artifactVerificationOptions);
        }
        if (message.bundle !== undefined) {
            obj.bundle = sigstore_bundle_1.Bundle.toJSON(message.bundle);
        }
        if (message.artifact !== undefined) {
            obj.artifact = exports.Artifact.toJSON(message.artifact);
        }
        return obj;
    },
};
function bytesFromBase64(b64) {
    return Uint8Array.from(globalThis.Buffer.from(b64, "base64"));
}
function base64FromBytes(arr) {
    return globalThis.Buffer.from(arr).toString("base64");
}
function isSet(value) {
    return value !== null && value !== undefined;
}


/***/ }),

/***/ 9654:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
__exportStar(__nccwpck_require__(7030), exports);
__exportStar(__nccwpck_require__(715), exports);
__exportStar(__nccwpck_require__(5334), exports);
__exportStar(__nccwpck_require__(5204), exports);
__exportStar(__nccwpck_require__(1997), exports);
__exportStar(__nccwpck_require__(9732), exports);


/***/ }),

/***/ 3835:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {

"use strict";

var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
/*
Copyright 2025 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
__exportStar(__nccwpck_require__(6764), exports);
__exportStar(__nccwpck_require__(381), exports);
__exportStar(__nccwpck_require__(4969), exports);
__exportStar(__nccwpck_require__(7543), exports);


/***/ }),

/***/ 2635:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DSSESignatureContent = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
class DSSESignatureContent {
    env;
    constructor(env) {
        this.env = env;
    }
    compareDigest(digest) {
        return core_1.crypto.bufferEqual(digest, core_1.crypto.digest('sha256', this.env.payload));
    }
    // For a DSSE envelope the signature is computed over the pre-authentication
    // encoding (PAE), so the digest of the signed bytes is the digest of the PAE.
    // This is what a Rekor v2 hashedrekord entry records for a DSSE envelope.
    compareSignedDigest(digest) {
        return core_1.crypto.bufferEqual(digest, core_1.crypto.digest('sha256', this.preAuthEncoding));
    }
    compareSignature(signature) {
        return core_1.crypto.bufferEqual(signature, this.signature);
    }
    verifySignature(key) {
        return core_1.crypto.verify(this.preAuthEncoding, key, this.signature);
    }
    get signature() {
        return this.env.signatures.length > 0
            ? this.env.signatures[0].sig
            : Buffer.from('');
    }
    // DSSE Pre-Authentication Encoding
    get preAuthEncoding() {
        return core_1.dsse.preAuthEncoding(this.env.payloadType, this.env.payload);
    }
}
exports.DSSESignatureContent = DSSESignatureContent;


/***/ }),

/***/ 2544:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.toSignedEntity = toSignedEntity;
exports.signatureContent = signatureContent;
const core_1 = __nccwpck_require__(3917);
const dsse_1 = __nccwpck_require__(2635);
const message_1 = __nccwpck_require__(6531);
function toSignedEntity(bundle, artifact) {
    const { tlogEntries, timestampVerificationData } = bundle.verificationMaterial;
    const timestamps = [];
    for (const entry of tlogEntries) {
        if (entry.integratedTime && entry.integratedTime !== '0') {
            timestamps.push({
                $case: 'transparency-log',
                tlogEntry: entry,
            });
        }
    }
    for (const ts of timestampVerificationData?.rfc3161Timestamps ?? []) {
        timestamps.push({
            $case: 'timestamp-authority',
            timestamp: core_1.RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)),
        });
    }
    return {
        signature: signatureContent(bundle, artifact),
        key: key(bundle),
        tlogEntries,
        timestamps,
    };
}
function signatureContent(bundle, artifact) {
    switch (bundle.content.$case) {
        case 'dsseEnvelope':
            return new dsse_1.DSSESignatureContent(bundle.content.dsseEnvelope);
        case 'messageSignature':
            return new message_1.MessageSignatureContent(bundle.content.messageSignature, artifact);
    }
}
function key(bundle) {
    switch (bundle.verificationMaterial.content.$case) {
        case 'publicKey':
            return {
                $case: 'public-key',
                hint: bundle.verificationMaterial.content.publicKey.hint,
            };
        case 'x509CertificateChain':
            return {
                $case: 'certificate',
                certificate: core_1.X509Certificate.parse(Buffer.from(bundle.verificationMaterial.content.x509CertificateChain
                    .certificates[0].rawBytes)),
            };
        case 'certificate':
            return {
                $case: 'certificate',
                certificate: core_1.X509Certificate.parse(Buffer.from(bundle.verificationMaterial.content.certificate.rawBytes)),
            };
    }
}


/***/ }),

/***/ 6531:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.MessageSignatureContent = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
const protobuf_specs_1 = __nccwpck_require__(9654);
// Map from the Sigstore protobuf HashAlgorithm enum to
// the string values used by the Node.js crypto module.
const HASH_ALGORITHM_MAP = {
    [protobuf_specs_1.HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED]: 'sha256',
    [protobuf_specs_1.HashAlgorithm.SHA2_256]: 'sha256',
    [protobuf_specs_1.HashAlgorithm.SHA2_384]: 'sha384',
    [protobuf_specs_1.HashAlgorithm.SHA2_512]: 'sha512',
    [protobuf_specs_1.HashAlgorithm.SHA3_256]: 'sha3-256',
    [protobuf_specs_1.HashAlgorithm.SHA3_384]: 'sha3-384',
};
class MessageSignatureContent {
    signature;
    messageDigest;
    artifact;
    hashAlgorithm;
    constructor(messageSignature, artifact) {
        this.signature = messageSignature.signature;
        this.messageDigest = messageSignature.messageDigest.digest;
        this.artifact = artifact;
        this.hashAlgorithm =
            HASH_ALGORITHM_MAP[messageSignature.messageDigest.algorithm] ??
                /* istanbul ignore next */ 'sha256';
    }
    compareSignature(signature) {
        return core_1.crypto.bufferEqual(signature, this.signature);
    }
    compareDigest(digest) {
        return core_1.crypto.bufferEqual(digest, this.messageDigest);
    }
    // For a message signature the signature is computed over the artifact, so the
    // digest of the signed bytes is the artifact's message digest.
    compareSignedDigest(digest) {
        return this.compareDigest(digest);
    }
    verifySignature(key) {
        return core_1.crypto.verify(this.artifact, key, this.signature, this.hashAlgorithm);
    }
}
exports.MessageSignatureContent = MessageSignatureContent;


/***/ }),

/***/ 6849:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.PolicyError = exports.VerificationError = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
class BaseError extends Error {
    code;
    cause; /* eslint-disable-line @typescript-eslint/no-explicit-any */
    constructor({ code, message, cause, }) {
        super(message);
        this.code = code;
        this.cause = cause;
        this.name = this.constructor.name;
    }
}
class VerificationError extends BaseError {
}
exports.VerificationError = VerificationError;
class PolicyError extends BaseError {
}
exports.PolicyError = PolicyError;


/***/ }),

/***/ 4187:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";
var __webpack_unused_export__;

__webpack_unused_export__ = ({ value: true });
exports.BL = exports.jO = __webpack_unused_export__ = __webpack_unused_export__ = exports.DC = void 0;
/* istanbul ignore file */
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
var bundle_1 = __nccwpck_require__(2544);
Object.defineProperty(exports, "DC", ({ enumerable: true, get: function () { return bundle_1.toSignedEntity; } }));
var error_1 = __nccwpck_require__(6849);
__webpack_unused_export__ = ({ enumerable: true, get: function () { return error_1.PolicyError; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return error_1.VerificationError; } });
var trust_1 = __nccwpck_require__(7822);
Object.defineProperty(exports, "jO", ({ enumerable: true, get: function () { return trust_1.toTrustMaterial; } }));
var verifier_1 = __nccwpck_require__(4433);
Object.defineProperty(exports, "BL", ({ enumerable: true, get: function () { return verifier_1.Verifier; } }));


/***/ }),

/***/ 8412:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.CertificateChainVerifier = void 0;
exports.verifyCertificateChain = verifyCertificateChain;
const error_1 = __nccwpck_require__(6849);
const trust_1 = __nccwpck_require__(7822);
function verifyCertificateChain(timestamp, leaf, certificateAuthorities) {
    // Filter list of trusted CAs to those which are valid for the given
    // timestamp
    const cas = (0, trust_1.filterCertAuthorities)(certificateAuthorities, timestamp);
    /* eslint-disable-next-line @typescript-eslint/no-explicit-any */
    let error;
    for (const ca of cas) {
        try {
            const verifier = new CertificateChainVerifier({
                trustedCerts: ca.certChain,
                untrustedCert: leaf,
                timestamp,
            });
            return verifier.verify();
        }
        catch (err) {
            error = err;
        }
    }
    // If we failed to verify the certificate chain for all of the trusted
    // CAs, throw the last error we encountered.
    throw new error_1.VerificationError({
        code: 'CERTIFICATE_ERROR',
        message: 'Failed to verify certificate chain',
        cause: error,
    });
}
class CertificateChainVerifier {
    untrustedCert;
    trustedCerts;
    localCerts;
    timestamp;
    constructor(opts) {
        this.untrustedCert = opts.untrustedCert;
        this.trustedCerts = opts.trustedCerts;
        this.localCerts = dedupeCertificates([
            ...opts.trustedCerts,
            opts.untrustedCert,
        ]);
        this.timestamp = opts.timestamp;
    }
    verify() {
        // Construct certificate path from leaf to root
        const certificatePath = this.sort();
        // Perform validation checks on each certificate in the path
        this.checkPath(certificatePath);
        const validForDate = certificatePath.every((cert) => cert.validForDate(this.timestamp));
        if (!validForDate) {
            throw new error_1.VerificationError({
                code: 'CERTIFICATE_ERROR',
                message: 'certificate is not valid or expired at the specified date',
            });
        }
        // Return verified certificate path
        return certificatePath;
    }
    sort() {
        const leafCert = this.untrustedCert;
        // Construct all possible paths from the leaf
        let paths = this.buildPaths(leafCert);
        // Filter for paths which contain a trusted certificate
        paths = paths.filter((path) => path.some((cert) => this.trustedCerts.includes(cert)));
        if (paths.length === 0) {
            throw new error_1.VerificationError({
                code: 'CERTIFICATE_ERROR',
                message: 'no trusted certificate path found',
            });
        }
        // Find the shortest of possible paths
        /* istanbul ignore next */
        const path = paths.reduce((prev, curr) => prev.length < curr.length ? prev : curr);
        // Construct chain from shortest path
        // Removes the last certificate in the path, which will be a second copy
        // of the root certificate given that the root is self-signed.
        return [leafCert, ...path].slice(0, -1);
    }
    // Recursively build all possible paths from the leaf to the root
    buildPaths(certificate) {
        const paths = [];
        const issuers = this.findIssuer(certificate);
        if (issuers.length === 0) {
            throw new error_1.VerificationError({
                code: 'CERTIFICATE_ERROR',
                message: 'no valid certificate path found',
            });
        }
        for (let i = 0; i < issuers.length; i++) {
            const issuer = issuers[i];
            // Base case - issuer is self
            if (issuer.equals(certificate)) {
                paths.push([certificate]);
                continue;
            }
            // Recursively build path for the issuer
            const subPaths = this.buildPaths(issuer);
            // Construct paths by appending the issuer to each subpath
            for (let j = 0; j < subPaths.length; j++) {
                paths.push([issuer, ...subPaths[j]]);
            }
        }
        return paths;
    }
    // Return all possible issuers for the given certificate
    findIssuer(certificate) {
        let issuers = [];
        let keyIdentifier;
        // Exit early if the certificate is self-signed
        if (certificate.subject.equals(certificate.issuer)) {
            if (certificate.verify()) {
                return [certificate];
            }
        }
        // If the certificate has an authority key identifier, use that
        // to find the issuer
        if (certificate.extAuthorityKeyID) {
            keyIdentifier = certificate.extAuthorityKeyID.keyIdentifier;
            // TODO: Add support for authorityCertIssuer/authorityCertSerialNumber
            // though Fulcio doesn't appear to use these
        }
        // Find possible issuers by comparing the authorityKeyID/subjectKeyID
        // or issuer/subject. Potential issuers are added to the result array.
        this.localCerts.forEach((possibleIssuer) => {
            if (keyIdentifier) {
                /* istanbul ignore else */
                if (possibleIssuer.extSubjectKeyID) {
                    if (possibleIssuer.extSubjectKeyID.keyIdentifier.equals(keyIdentifier)) {
                        issuers.push(possibleIssuer);
                    }
                    return;
                }
            }
            // Fallback to comparing certificate issuer and subject if
            // subjectKey/authorityKey extensions are not present
            if (possibleIssuer.subject.equals(certificate.issuer)) {
                issuers.push(possibleIssuer);
            }
        });
        // Remove any issuers which fail to verify the certificate
        issuers = issuers.filter((issuer) => {
            try {
                return certificate.verify(issuer);
            }
            catch (ex) {
                /* istanbul ignore next - should never error */
                return false;
            }
        });
        return issuers;
    }
    checkPath(path) {
        /* istanbul ignore if */
        if (path.length < 1) {
            throw new error_1.VerificationError({
                code: 'CERTIFICATE_ERROR',
                message: 'certificate chain must contain at least one certificate',
            });
        }
        // Ensure that all certificates beyond the leaf are CAs
        const validCAs = path.slice(1).every((cert) => cert.isCA);
        if (!validCAs) {
            throw new error_1.VerificationError({
                code: 'CERTIFICATE_ERROR',
                message: 'intermediate certificate is not a CA',
            });
        }
        // Certificate's issuer must match the subject of the next certificate
        // in the chain
        for (let i = path.length - 2; i >= 0; i--) {
            /* istanbul ignore if */
            if (!path[i].issuer.equals(path[i + 1].subject)) {
                throw new error_1.VerificationError({
                    code: 'CERTIFICATE_ERROR',
                    message: 'incorrect certificate name chaining',
                });
            }
        }
        // Check pathlength constraints
        for (let i = 0; i < path.length; i++) {
            const cert = path[i];
            // If the certificate is a CA, check the path length
            if (cert.extBasicConstraints?.isCA) {
                const pathLength = cert.extBasicConstraints.pathLenConstraint;
                // The path length, if set, indicates how many intermediate
                // certificates (NOT including the leaf) are allowed to follow. The
                // pathLength constraint of any intermediate CA certificate MUST be
                // greater than or equal to it's own depth in the chain (with an
                // adjustment for the leaf certificate)
                if (pathLength !== undefined && pathLength < i - 1) {
                    throw new error_1.VerificationError({
                        code: 'CERTIFICATE_ERROR',
                        message: 'path length constraint exceeded',
                    });
                }
            }
        }
    }
}
exports.CertificateChainVerifier = CertificateChainVerifier;
// Remove duplicate certificates from the array
function dedupeCertificates(certs) {
    for (let i = 0; i < certs.length; i++) {
        for (let j = i + 1; j < certs.length; j++) {
            if (certs[i].equals(certs[j])) {
                certs.splice(j, 1);
                j--;
            }
        }
    }
    return certs;
}


/***/ }),

/***/ 3771:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifyPublicKey = verifyPublicKey;
exports.verifyCertificate = verifyCertificate;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
const error_1 = __nccwpck_require__(6849);
const certificate_1 = __nccwpck_require__(8412);
const sct_1 = __nccwpck_require__(1633);
const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
function verifyPublicKey(hint, timestamps, trustMaterial) {
    const key = trustMaterial.publicKey(hint);
    timestamps.forEach((timestamp) => {
        if (!key.validFor(timestamp)) {
            throw new error_1.VerificationError({
                code: 'PUBLIC_KEY_ERROR',
                message: `Public key is not valid for timestamp: ${timestamp.toISOString()}`,
            });
        }
    });
    return { key: key.publicKey };
}
function verifyCertificate(leaf, timestamps, trustMaterial) {
    // Check that leaf certificate chains to a trusted CA
    let path = [];
    timestamps.forEach((timestamp) => {
        path = (0, certificate_1.verifyCertificateChain)(timestamp, leaf, trustMaterial.certificateAuthorities);
    });
    return {
        scts: (0, sct_1.verifySCTs)(path[0], path[1], trustMaterial.ctlogs),
        signer: getSigner(path[0]),
    };
}
function getSigner(cert) {
    let issuer;
    const issuerExtension = cert.extension(OID_FULCIO_ISSUER_V2);
    /* istanbul ignore next */
    if (issuerExtension) {
        issuer = issuerExtension.valueObj.subs?.[0]?.value.toString('ascii');
    }
    else {
        issuer = cert.extension(OID_FULCIO_ISSUER_V1)?.value.toString('ascii');
    }
    const oids = cert.extensions.map((ext) => {
        const oid = ext.subs[0].toOID();
        return {
            oid: { id: oid.split('.').map(Number) },
            value: ext.subs[ext.subs.length - 1].value,
        };
    });
    const identity = {
        extensions: { issuer },
        subjectAlternativeName: cert.subjectAltName,
        oids,
    };
    return {
        key: core_1.crypto.createPublicKey(cert.publicKey),
        identity,
    };
}


/***/ }),

/***/ 1633:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifySCTs = verifySCTs;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
const error_1 = __nccwpck_require__(6849);
const trust_1 = __nccwpck_require__(7822);
function verifySCTs(cert, issuer, ctlogs) {
    let extSCT;
    // Verifying the SCT requires that we remove the SCT extension and
    // re-encode the TBS structure to DER -- this value is part of the data
    // over which the signature is calculated. Since this is a destructive action
    // we create a copy of the certificate so we can remove the SCT extension
    // without affecting the original certificate.
    const clone = cert.clone();
    // Intentionally not using the findExtension method here because we want to
    // remove the the SCT extension from the certificate before calculating the
    // PreCert structure
    for (let i = 0; i < clone.extensions.length; i++) {
        const ext = clone.extensions[i];
        if (ext.subs[0].toOID() === core_1.EXTENSION_OID_SCT) {
            extSCT = new core_1.X509SCTExtension(ext);
            // Remove the extension from the certificate
            clone.extensions.splice(i, 1);
            break;
        }
    }
    // No SCT extension found to verify
    if (!extSCT) {
        return [];
    }
    // Found an SCT extension but it has no SCTs
    /* istanbul ignore if -- too difficult to fabricate test case for this */
    if (extSCT.signedCertificateTimestamps.length === 0) {
        return [];
    }
    // Construct the PreCert structure
    // https://www.rfc-editor.org/rfc/rfc6962#section-3.2
    const preCert = new core_1.ByteStream();
    // Calculate hash of the issuer's public key
    const issuerId = core_1.crypto.digest('sha256', issuer.publicKey);
    preCert.appendView(issuerId);
    // Re-encodes the certificate to DER after removing the SCT extension
    const tbs = clone.tbsCertificate.toDER();
    preCert.appendUint24(tbs.length);
    preCert.appendView(tbs);
    // Calculate and return the verification results for each SCT
    return extSCT.signedCertificateTimestamps.map((sct) => {
        // Find the ctlog instance that corresponds to the SCT's logID
        const validCTLogs = (0, trust_1.filterTLogAuthorities)(ctlogs, {
            logID: sct.logID,
            targetDate: sct.datetime,
        });
        // See if the SCT is valid for any of the CT logs
        const verified = validCTLogs.some((log) => sct.verify(preCert.buffer, log.publicKey));
        if (!verified) {
            throw new error_1.VerificationError({
                code: 'CERTIFICATE_ERROR',
                message: 'SCT verification failed',
            });
        }
        return sct.logID;
    });
}


/***/ }),

/***/ 8037:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifySubjectAlternativeName = verifySubjectAlternativeName;
exports.verifyExtensions = verifyExtensions;
exports.verifyOIDs = verifyOIDs;
const error_1 = __nccwpck_require__(6849);
// Verifies that the signer's SAN matches the policy identity. The
// policyIdentity is treated as a JavaScript regular expression pattern and
// tested against the full signerIdentity string. For exact matching, use
// anchored patterns (e.g. '^user@example\\.com$').
function verifySubjectAlternativeName(policyIdentity, signerIdentity) {
    if (signerIdentity === undefined || !signerIdentity.match(policyIdentity)) {
        throw new error_1.PolicyError({
            code: 'UNTRUSTED_SIGNER_ERROR',
            message: `certificate identity error - expected ${policyIdentity}, got ${signerIdentity}`,
        });
    }
}
function verifyExtensions(policyExtensions, signerExtensions = {}) {
    let key;
    for (key in policyExtensions) {
        if (signerExtensions[key] !== policyExtensions[key]) {
            throw new error_1.PolicyError({
                code: 'UNTRUSTED_SIGNER_ERROR',
                message: `invalid certificate extension - expected ${key}=${policyExtensions[key]}, got ${key}=${signerExtensions[key]}`,
            });
        }
    }
}
function verifyOIDs(policyOIDs, signerOIDs = []) {
    for (const policyOID of policyOIDs) {
        const match = signerOIDs.find((signerOID) => oidEquals(policyOID.oid?.id, signerOID.oid?.id) &&
            policyOID.value.equals(signerOID.value));
        if (!match) {
            const oid = policyOID.oid?.id.join('.') ?? '<unknown>';
            throw new error_1.PolicyError({
                code: 'UNTRUSTED_SIGNER_ERROR',
                message: `invalid certificate extension - missing OID ${oid}`,
            });
        }
    }
}
function oidEquals(a, b) {
    if (a === undefined || b === undefined) {
        return false;
    }
    return a.length === b.length && a.every((v, i) => v === b[i]);
}


/***/ }),

/***/ 7968:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.getTSATimestamp = getTSATimestamp;
exports.getTLogTimestamp = getTLogTimestamp;
const tsa_1 = __nccwpck_require__(4472);
function getTSATimestamp(timestamp, data, timestampAuthorities) {
    (0, tsa_1.verifyRFC3161Timestamp)(timestamp, data, timestampAuthorities);
    return {
        type: 'timestamp-authority',
        logID: timestamp.signerSerialNumber,
        timestamp: timestamp.signingTime,
    };
}
function getTLogTimestamp(entry) {
    // Only entries with an inclusion promise provide a verifiable timestamp
    if (!entry.inclusionPromise) {
        return undefined;
    }
    return {
        type: 'transparency-log',
        logID: entry.logId.keyId,
        timestamp: new Date(Number(entry.integratedTime) * 1000),
    };
}


/***/ }),

/***/ 4472:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifyRFC3161Timestamp = verifyRFC3161Timestamp;
const core_1 = __nccwpck_require__(3917);
const error_1 = __nccwpck_require__(6849);
const certificate_1 = __nccwpck_require__(8412);
const trust_1 = __nccwpck_require__(7822);
function verifyRFC3161Timestamp(timestamp, data, timestampAuthorities) {
    const signingTime = timestamp.signingTime;
    // Filter for CAs which were valid at the time of signing
    timestampAuthorities = (0, trust_1.filterCertAuthorities)(timestampAuthorities, signingTime);
    // Filter for CAs which match serial and issuer embedded in the timestamp
    timestampAuthorities = filterCAsBySerialAndIssuer(timestampAuthorities, {
        serialNumber: timestamp.signerSerialNumber,
        issuer: timestamp.signerIssuer,
    });
    // Check that we can verify the timestamp with AT LEAST ONE of the remaining
    // CAs
    const verified = timestampAuthorities.some((ca) => {
        try {
            verifyTimestampForCA(timestamp, data, ca);
            return true;
        }
        catch (e) {
            return false;
        }
    });
    if (!verified) {
        throw new error_1.VerificationError({
            code: 'TIMESTAMP_ERROR',
            message: 'timestamp could not be verified',
        });
    }
}
function verifyTimestampForCA(timestamp, data, ca) {
    const [leaf, ...cas] = ca.certChain;
    const signingKey = core_1.crypto.createPublicKey(leaf.publicKey);
    const signingTime = timestamp.signingTime;
    // Verify the certificate chain for the provided CA
    try {
        new certificate_1.CertificateChainVerifier({
            untrustedCert: leaf,
            trustedCerts: cas,
            timestamp: signingTime,
        }).verify();
    }
    catch (e) {
        throw new error_1.VerificationError({
            code: 'TIMESTAMP_ERROR',
            message: 'invalid certificate chain',
        });
    }
    // Check that the signing certificate's key can be used to verify the
    // timestamp signature.
    timestamp.verify(data, signingKey);
}
// Filters the list of CAs to those which have a leaf signing certificate which
// matches the given serial number and issuer.
function filterCAsBySerialAndIssuer(timestampAuthorities, criteria) {
    return timestampAuthorities.filter((ca) => ca.certChain.length > 0 &&
        core_1.crypto.bufferEqual(ca.certChain[0].serialNumber, criteria.serialNumber) &&
        core_1.crypto.bufferEqual(ca.certChain[0].issuer, criteria.issuer));
}


/***/ }),

/***/ 9266:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.LogCheckpoint = void 0;
exports.verifyCheckpoint = verifyCheckpoint;
/*
Copyright 2025 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
const error_1 = __nccwpck_require__(6849);
// Separator between the note and the signatures in a checkpoint
const CHECKPOINT_SEPARATOR = '\n\n';
// Checkpoint signatures are of the following form:
// "– <identity> <key_hint+signature_bytes>\n"
// where:
// - the prefix is an emdash (U+2014).
// - <identity> gives a human-readable representation of the signing ID.
// - <key_hint+signature_bytes> is the first 4 bytes of the SHA256 hash of the
//   associated public key followed by the signature bytes.
const SIGNATURE_REGEX = /\u2014 (\S+) (\S+)\n/g;
// Verifies the checkpoint value in the given tlog entry. There are two steps
// to the verification:
// 1. Verify that all signatures in the checkpoint can be verified against a
//    trusted public key
// 2. Verify that the root hash in the checkpoint matches the root hash in the
//    inclusion proof
// See: https://github.com/transparency-dev/formats/blob/main/log/README.md
function verifyCheckpoint(entry, tlogs) {
    const inclusionProof = entry.inclusionProof;
    const signedNote = SignedNote.fromString(inclusionProof.checkpoint.envelope);
    const checkpoint = LogCheckpoint.fromString(signedNote.note);
    // Verify that the signatures in the checkpoint are all valid
    if (!verifySignedNote(signedNote, tlogs)) {
        throw new error_1.VerificationError({
            code: 'TLOG_INCLUSION_PROOF_ERROR',
            message: 'invalid checkpoint signature',
        });
    }
    return checkpoint;
}
// Verifies the signatures in the SignedNote. For each signature, the
// corresponding transparency log is looked up by the key hint and the
// signature is verified against the public key in the transparency log.
// Throws an error if any of the signatures are invalid.
function verifySignedNote(signedNote, tlogs) {
    const data = Buffer.from(signedNote.note, 'utf-8');
    return signedNote.signatures.some((signature) => {
        // Find the transparency log instance with the matching key hint
        const tlog = tlogs.find((tlog) => core_1.crypto.bufferEqual(tlog.logID.subarray(0, 4), signature.keyHint) &&
            // Match the signature name to the base URL of the tlog. The name is
            // attacker-controlled, so it MUST be compared as a literal substring
            // and never coerced into a RegExp (as String.prototype.match would).
            tlog.baseURL.includes(signature.name));
        if (!tlog) {
            return false;
        }
        return core_1.crypto.verify(data, tlog.publicKey, signature.signature);
    });
}
// SignedNote represents a signed note from a transparency log checkpoint. Consists
// of a body (or note) and one more signatures calculated over the body. See
// https://github.com/transparency-dev/formats/blob/main/log/README.md#signed-envelope
class SignedNote {
    note;
    signatures;
    constructor(note, signatures) {
        this.note = note;
        this.signatures = signatures;
    }
    // Deserialize a SignedNote from a string
    static fromString(envelope) {
        if (!envelope.includes(CHECKPOINT_SEPARATOR)) {
            throw new error_1.VerificationError({
                code: 'TLOG_INCLUSION_PROOF_ERROR',
                message: 'missing checkpoint separator',
            });
        }
        // Split the note into the header and the data portions at the separator
        const split = envelope.indexOf(CHECKPOINT_SEPARATOR);
        const header = envelope.slice(0, split + 1);
        const data = envelope.slice(split + CHECKPOINT_SEPARATOR.length);
        // Find all the signature lines in the data portion
        const matches = data.matchAll(SIGNATURE_REGEX);
        // Parse each of the matched signature lines into the name and signature.
        // The first four bytes of the signature are the key hint (should match the
        // first four bytes of the log ID), and the rest is the signature itself.
        const signatures = Array.from(matches, (match) => {
            const [, name, signature] = match;
            const sigBytes = Buffer.from(signature, 'base64');
            if (sigBytes.length < 5) {
                throw new error_1.VerificationError({
                    code: 'TLOG_INCLUSION_PROOF_ERROR',
                    message: 'malformed checkpoint signature',
                });
            }
            return {
                name,
                keyHint: sigBytes.subarray(0, 4),
                signature: sigBytes.subarray(4),
            };
        });
        if (signatures.length === 0) {
            throw new error_1.VerificationError({
                code: 'TLOG_INCLUSION_PROOF_ERROR',
                message: 'no signatures found in checkpoint',
            });
        }
        return new SignedNote(header, signatures);
    }
}
// LogCheckpoint represents a transparency log checkpoint. Consists of the
// following:
//  - origin: the name of the transparency log
//  - logSize: the size of the log at the time of the checkpoint
//  - logHash: the root hash of the log at the time of the checkpoint
//  - rest: the rest of the checkpoint body, which is a list of log entries
// See:
// https://github.com/transparency-dev/formats/blob/main/log/README.md#checkpoint-body
class LogCheckpoint {
    origin;
    logSize;
    logHash;
    rest;
    constructor(origin, logSize, logHash, rest) {
        this.origin = origin;
        this.logSize = logSize;
        this.logHash = logHash;
        this.rest = rest;
    }
    static fromString(note) {
        const lines = note.trimEnd().split('\n');
        if (lines.length < 3) {
            throw new error_1.VerificationError({
                code: 'TLOG_INCLUSION_PROOF_ERROR',
                message: 'too few lines in checkpoint header',
            });
        }
        const origin = lines[0];
        // logSize is attacker-controlled and parsed before any signature is
        // verified, so guard against BigInt() throwing an uncaught SyntaxError on
        // malformed input.
        let logSize;
        try {
            logSize = BigInt(lines[1]);
        }
        catch {
            throw new error_1.VerificationError({
                code: 'TLOG_INCLUSION_PROOF_ERROR',
                message: 'invalid checkpoint log size',
            });
        }
        const rootHash = Buffer.from(lines[2], 'base64');
        const rest = lines.slice(3);
        return new LogCheckpoint(origin, logSize, rootHash, rest);
    }
}
exports.LogCheckpoint = LogCheckpoint;


/***/ }),

/***/ 7005:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DSSE_API_VERSION_V1 = void 0;
exports.verifyDSSETLogBody = verifyDSSETLogBody;
exports.verifyDSSETLogBodyV2 = verifyDSSETLogBodyV2;
/*
Copyright 2025 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const error_1 = __nccwpck_require__(6849);
exports.DSSE_API_VERSION_V1 = '0.0.1';
// Compare the given dsse tlog entry to the given bundle
function verifyDSSETLogBody(tlogEntry, content) {
    switch (tlogEntry.apiVersion) {
        case exports.DSSE_API_VERSION_V1:
            return verifyDSSE001TLogBody(tlogEntry, content);
        default:
            throw new error_1.VerificationError({
                code: 'TLOG_BODY_ERROR',
                message: `unsupported dsse version: ${tlogEntry.apiVersion}`,
            });
    }
}
// Compare the given dsse tlog entry to the given bundle. This function is
// specifically for Rekor V2 entries.
function verifyDSSETLogBodyV2(tlogEntry, content) {
    const spec = tlogEntry.spec?.spec;
    if (!spec) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: `missing dsse spec`,
        });
    }
    switch (spec.$case) {
        case 'dsseV002':
            return verifyDSSE002TLogBody(spec.dsseV002, content);
        default:
            throw new error_1.VerificationError({
                code: 'TLOG_BODY_ERROR',
                message: `unsupported version: ${spec.$case}`,
            });
    }
}
// Compare the given dsse v0.0.1 tlog entry to the given DSSE envelope.
function verifyDSSE001TLogBody(tlogEntry, content) {
    // Ensure the bundle's DSSE only contains a single signature
    if (tlogEntry.spec.signatures?.length !== 1) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'signature count mismatch',
        });
    }
    const tlogSig = tlogEntry.spec.signatures[0].signature;
    // Ensure that the signature in the bundle's DSSE matches tlog entry
    if (!content.compareSignature(Buffer.from(tlogSig, 'base64')))
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'tlog entry signature mismatch',
        });
    // Ensure the digest of the bundle's DSSE payload matches the digest in the
    // tlog entry
    const tlogHash = tlogEntry.spec.payloadHash?.value || '';
    if (!content.compareDigest(Buffer.from(tlogHash, 'hex'))) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'DSSE payload hash mismatch',
        });
    }
}
// Compare the given dsse v0.0.2 tlog entry to the given DSSE envelope.
function verifyDSSE002TLogBody(spec, content) {
    // Ensure the bundle's DSSE only contains a single signature
    if (spec.signatures?.length !== 1) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'signature count mismatch',
        });
    }
    const tlogSig = spec.signatures[0].content;
    // Ensure that the signature in the bundle's DSSE matches tlog entry
    if (!content.compareSignature(tlogSig))
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'tlog entry signature mismatch',
        });
    // Ensure the digest of the bundle's DSSE payload matches the digest in the
    // tlog entry
    const tlogHash = spec.payloadHash?.digest || Buffer.from('');
    if (!content.compareDigest(tlogHash)) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'DSSE payload hash mismatch',
        });
    }
}


/***/ }),

/***/ 1484:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.HASHEDREKORD_API_VERSION_V1 = void 0;
exports.verifyHashedRekordTLogBody = verifyHashedRekordTLogBody;
exports.verifyHashedRekordTLogBodyV2 = verifyHashedRekordTLogBodyV2;
/*
Copyright 2025 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const error_1 = __nccwpck_require__(6849);
exports.HASHEDREKORD_API_VERSION_V1 = '0.0.1';
// Compare the given hashedrekord tlog entry to the given bundle
function verifyHashedRekordTLogBody(tlogEntry, content) {
    switch (tlogEntry.apiVersion) {
        case exports.HASHEDREKORD_API_VERSION_V1:
            return verifyHashedrekord001TLogBody(tlogEntry, content);
        default:
            throw new error_1.VerificationError({
                code: 'TLOG_BODY_ERROR',
                message: `unsupported hashedrekord version: ${tlogEntry.apiVersion}`,
            });
    }
}
// Compare the given hashedrekor tlog entry to the given bundle. This function is
// specifically for Rekor V2 entries.
function verifyHashedRekordTLogBodyV2(tlogEntry, content) {
    const spec = tlogEntry.spec?.spec;
    if (!spec) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: `missing dsse spec`,
        });
    }
    switch (spec.$case) {
        case 'hashedRekordV002':
            return verifyHashedrekord002TLogBody(spec.hashedRekordV002, content);
        default:
            throw new error_1.VerificationError({
                code: 'TLOG_BODY_ERROR',
                message: `unsupported version: ${spec.$case}`,
            });
    }
}
// Compare the given hashedrekord v0.0.1 tlog entry to the given message
// signature
function verifyHashedrekord001TLogBody(tlogEntry, content) {
    // Ensure that the bundles message signature matches the tlog entry
    const tlogSig = tlogEntry.spec.signature.content || '';
    if (!content.compareSignature(Buffer.from(tlogSig, 'base64'))) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'signature mismatch',
        });
    }
    // Ensure that the bundle's signed digest matches the tlog entry
    const tlogDigest = tlogEntry.spec.data.hash?.value || '';
    if (!content.compareSignedDigest(Buffer.from(tlogDigest, 'hex'))) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'digest mismatch',
        });
    }
}
// Compare the given hashedrekord v0.0.2 tlog entry to the given message
// signature
function verifyHashedrekord002TLogBody(spec, content) {
    // Ensure that the bundles message signature matches the tlog entry
    const tlogSig = spec.signature?.content || Buffer.from('');
    if (!content.compareSignature(tlogSig)) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'signature mismatch',
        });
    }
    // Ensure that the bundle's signed digest matches the tlog entry
    const tlogHash = spec.data?.digest || Buffer.from('');
    if (!content.compareSignedDigest(tlogHash)) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'digest mismatch',
        });
    }
}


/***/ }),

/***/ 8218:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifyTLogBody = verifyTLogBody;
exports.verifyTLogInclusion = verifyTLogInclusion;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const v2_1 = __nccwpck_require__(3835);
const error_1 = __nccwpck_require__(6849);
const dsse_1 = __nccwpck_require__(7005);
const hashedrekord_1 = __nccwpck_require__(1484);
const intoto_1 = __nccwpck_require__(7703);
const checkpoint_1 = __nccwpck_require__(9266);
const merkle_1 = __nccwpck_require__(7046);
const set_1 = __nccwpck_require__(333);
// Verifies that the given tlog entry matches the supplied signature content.
function verifyTLogBody(entry, sigContent) {
    const { kind, version } = entry.kindVersion;
    // The canonicalized body is attacker-controlled; parse defensively so
    // malformed JSON yields a VerificationError rather than an uncaught
    // SyntaxError.
    let body;
    try {
        body = JSON.parse(entry.canonicalizedBody.toString('utf8'));
    }
    catch {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'invalid canonicalized body',
        });
    }
    // validate body
    if (kind !== body.kind || version !== body.apiVersion) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: `kind/version mismatch - expected: ${kind}/${version}, received: ${body.kind}/${body.apiVersion}`,
        });
    }
    switch (kind) {
        case 'dsse':
            // Rekor V1 and V2 use incompatible types so we need to branch here based on version
            if (version == dsse_1.DSSE_API_VERSION_V1) {
                return (0, dsse_1.verifyDSSETLogBody)(body, sigContent);
            }
            else {
                const entryRekorV2 = v2_1.Entry.fromJSON(body);
                return (0, dsse_1.verifyDSSETLogBodyV2)(entryRekorV2, sigContent);
            }
        case 'intoto':
            return (0, intoto_1.verifyIntotoTLogBody)(body, sigContent);
        case 'hashedrekord':
            // Rekor V1 and V2 use incompatible types so we need to branch here based on version
            if (version == hashedrekord_1.HASHEDREKORD_API_VERSION_V1) {
                return (0, hashedrekord_1.verifyHashedRekordTLogBody)(body, sigContent);
            }
            else {
                const entryRekorV2 = v2_1.Entry.fromJSON(body);
                return (0, hashedrekord_1.verifyHashedRekordTLogBodyV2)(entryRekorV2, sigContent);
            }
        /* istanbul ignore next */
        default:
            throw new error_1.VerificationError({
                code: 'TLOG_BODY_ERROR',
                message: `unsupported kind: ${kind}`,
            });
    }
}
function verifyTLogInclusion(entry, tlogAuthorities) {
    let inclusionVerified = false;
    if (isTLogEntryWithInclusionPromise(entry)) {
        (0, set_1.verifyTLogSET)(entry, tlogAuthorities);
        inclusionVerified = true;
    }
    if (isTLogEntryWithInclusionProof(entry)) {
        // Bind the claimed log ID to the authority that verifies the checkpoint.
        const matchingAuthorities = tlogAuthorities.filter((tlog) => tlog.logID.equals(entry.logId.keyId));
        const checkpoint = (0, checkpoint_1.verifyCheckpoint)(entry, matchingAuthorities);
        (0, merkle_1.verifyMerkleInclusion)(entry, checkpoint);
        inclusionVerified = true;
    }
    if (!inclusionVerified) {
        throw new error_1.VerificationError({
            code: 'TLOG_MISSING_INCLUSION_ERROR',
            message: 'inclusion could not be verified',
        });
    }
    return;
}
function isTLogEntryWithInclusionPromise(entry) {
    return entry.inclusionPromise !== undefined;
}
function isTLogEntryWithInclusionProof(entry) {
    return entry.inclusionProof !== undefined;
}


/***/ }),

/***/ 7703:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifyIntotoTLogBody = verifyIntotoTLogBody;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const error_1 = __nccwpck_require__(6849);
// Compare the given intoto tlog entry to the given bundle
function verifyIntotoTLogBody(tlogEntry, content) {
    switch (tlogEntry.apiVersion) {
        case '0.0.2':
            return verifyIntoto002TLogBody(tlogEntry, content);
        default:
            throw new error_1.VerificationError({
                code: 'TLOG_BODY_ERROR',
                message: `unsupported intoto version: ${tlogEntry.apiVersion}`,
            });
    }
}
// Compare the given intoto v0.0.2 tlog entry to the given DSSE envelope.
function verifyIntoto002TLogBody(tlogEntry, content) {
    // Ensure the bundle's DSSE contains a single signature
    if (tlogEntry.spec.content.envelope.signatures?.length !== 1) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'signature count mismatch',
        });
    }
    // Signature is double-base64-encoded in the tlog entry
    const tlogSig = base64Decode(tlogEntry.spec.content.envelope.signatures[0].sig);
    // Ensure that the signature in the bundle's DSSE matches tlog entry
    if (!content.compareSignature(Buffer.from(tlogSig, 'base64'))) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'tlog entry signature mismatch',
        });
    }
    // Ensure the digest of the bundle's DSSE payload matches the digest in the
    // tlog entry
    const tlogHash = tlogEntry.spec.content.payloadHash?.value || '';
    if (!content.compareDigest(Buffer.from(tlogHash, 'hex'))) {
        throw new error_1.VerificationError({
            code: 'TLOG_BODY_ERROR',
            message: 'DSSE payload hash mismatch',
        });
    }
}
function base64Decode(str) {
    return Buffer.from(str, 'base64').toString('utf-8');
}


/***/ }),

/***/ 7046:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifyMerkleInclusion = verifyMerkleInclusion;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
const error_1 = __nccwpck_require__(6849);
const RFC6962_LEAF_HASH_PREFIX = Buffer.from([0x00]);
const RFC6962_NODE_HASH_PREFIX = Buffer.from([0x01]);
function verifyMerkleInclusion(entry, checkpoint) {
    const inclusionProof = entry.inclusionProof;
    // logIndex is attacker-controlled; parse defensively so malformed input
    // yields a VerificationError rather than an uncaught SyntaxError.
    let logIndex;
    try {
        logIndex = BigInt(inclusionProof.logIndex);
    }
    catch {
        throw new error_1.VerificationError({
            code: 'TLOG_INCLUSION_PROOF_ERROR',
            message: 'invalid inclusion proof log index',
        });
    }
    const treeSize = BigInt(checkpoint.logSize);
    if (logIndex < 0n || logIndex >= treeSize) {
        throw new error_1.VerificationError({
            code: 'TLOG_INCLUSION_PROOF_ERROR',
            message: `invalid index: ${logIndex}`,
        });
    }
    // Figure out which subset of hashes corresponds to the inner and border
    // nodes
    const { inner, border } = decompInclProof(logIndex, treeSize);
    if (inclusionProof.hashes.length !== inner + border) {
        throw new error_1.VerificationError({
            code: 'TLOG_INCLUSION_PROOF_ERROR',
            message: 'invalid hash count',
        });
    }
    const innerHashes = inclusionProof.hashes.slice(0, inner);
    const borderHashes = inclusionProof.hashes.slice(inner);
    // The entry's hash is the leaf hash
    const leafHash = hashLeaf(entry.canonicalizedBody);
    // Chain the hashes belonging to the inner and border portions
    const calculatedHash = chainBorderRight(chainInner(leafHash, innerHashes, logIndex), borderHashes);
    // Calculated hash should match the root hash in the inclusion proof
    if (!core_1.crypto.bufferEqual(calculatedHash, checkpoint.logHash)) {
        throw new error_1.VerificationError({
            code: 'TLOG_INCLUSION_PROOF_ERROR',
            message: 'calculated root hash does not match inclusion proof',
        });
    }
}
// Breaks down inclusion proof for a leaf at the specified index in a tree of
// the specified size. The split point is where paths to the index leaf and
// the (size - 1) leaf diverge. Returns lengths of the bottom and upper proof
// parts.
function decompInclProof(index, size) {
    const inner = innerProofSize(index, size);
    const border = onesCount(index >> BigInt(inner));
    return { inner, border };
}
// Computes a subtree hash for a node on or below the tree's right border.
// Assumes the provided proof hashes are ordered from lower to higher levels
// and seed is the initial hash of the node specified by the index.
function chainInner(seed, hashes, index) {
    return hashes.reduce((acc, h, i) => {
        if ((index >> BigInt(i)) & BigInt(1)) {
            return hashChildren(h, acc);
        }
        else {
            return hashChildren(acc, h);
        }
    }, seed);
}
// Computes a subtree hash for nodes along the tree's right border.
function chainBorderRight(seed, hashes) {
    return hashes.reduce((acc, h) => hashChildren(h, acc), seed);
}
function innerProofSize(index, size) {
    return bitLength(index ^ (size - BigInt(1)));
}
// Counts the number of ones in the binary representation of the given number.
// https://en.wikipedia.org/wiki/Hamming_weight
function onesCount(num) {
    return num.toString(2).split('1').length - 1;
}
// Returns the number of bits necessary to represent an integer in binary.
function bitLength(n) {
    if (n === 0n) {
        return 0;
    }
    return n.toString(2).length;
}
// Hashing logic according to RFC6962.
// https://datatracker.ietf.org/doc/html/rfc6962#section-2
function hashChildren(left, right) {
    return core_1.crypto.digest('sha256', RFC6962_NODE_HASH_PREFIX, left, right);
}
function hashLeaf(leaf) {
    return core_1.crypto.digest('sha256', RFC6962_LEAF_HASH_PREFIX, leaf);
}


/***/ }),

/***/ 333:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.verifyTLogSET = verifyTLogSET;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
const error_1 = __nccwpck_require__(6849);
const trust_1 = __nccwpck_require__(7822);
// Verifies the SET for the given entry against the list of trusted
// transparency logs. Returns true if the SET can be verified against at least
// one of the trusted logs; otherwise, returns false.
function verifyTLogSET(entry, tlogs) {
    // Filter the list of tlog instances to only those which might be able to
    // verify the SET
    const validTLogs = (0, trust_1.filterTLogAuthorities)(tlogs, {
        logID: entry.logId.keyId,
        targetDate: new Date(Number(entry.integratedTime) * 1000),
    });
    // Check to see if we can verify the SET against any of the valid tlogs
    const verified = validTLogs.some((tlog) => {
        // Re-create the original Rekor verification payload
        const payload = toVerificationPayload(entry);
        // Canonicalize the payload and turn into a buffer for verification
        const data = Buffer.from(core_1.json.canonicalize(payload), 'utf8');
        // Extract the SET from the tlog entry
        const signature = entry.inclusionPromise.signedEntryTimestamp;
        return core_1.crypto.verify(data, tlog.publicKey, signature);
    });
    if (!verified) {
        throw new error_1.VerificationError({
            code: 'TLOG_INCLUSION_PROMISE_ERROR',
            message: 'inclusion promise could not be verified',
        });
    }
}
// Returns a properly formatted "VerificationPayload" for one of the
// transaction log entires in the given bundle which can be used for SET
// verification.
function toVerificationPayload(entry) {
    const { integratedTime, logIndex, logId, canonicalizedBody } = entry;
    return {
        body: canonicalizedBody.toString('base64'),
        integratedTime: Number(integratedTime),
        logIndex: Number(logIndex),
        logID: logId.keyId.toString('hex'),
    };
}


/***/ }),

/***/ 9738:
/***/ ((__unused_webpack_module, exports) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.filterCertAuthorities = filterCertAuthorities;
exports.filterTLogAuthorities = filterTLogAuthorities;
function filterCertAuthorities(certAuthorities, timestamp) {
    return certAuthorities.filter((ca) => {
        return ca.validFor.start <= timestamp && ca.validFor.end >= timestamp;
    });
}
// Filter the list of tlog instances to only those which match the given log
// ID and have public keys which are valid for the given integrated time.
function filterTLogAuthorities(tlogAuthorities, criteria) {
    return tlogAuthorities.filter((tlog) => {
        // If we're filtering by log ID and the log IDs don't match, we can't use
        // this tlog
        if (criteria.logID && !tlog.logID.equals(criteria.logID)) {
            return false;
        }
        // Check that the integrated time is within the validFor range
        return (tlog.validFor.start <= criteria.targetDate &&
            criteria.targetDate <= tlog.validFor.end);
    });
}


/***/ }),

/***/ 7822:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.filterTLogAuthorities = exports.filterCertAuthorities = void 0;
exports.toTrustMaterial = toTrustMaterial;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const core_1 = __nccwpck_require__(3917);
const protobuf_specs_1 = __nccwpck_require__(9654);
const error_1 = __nccwpck_require__(6849);
const BEGINNING_OF_TIME = new Date(0);
const END_OF_TIME = new Date(8640000000000000);
var filter_1 = __nccwpck_require__(9738);
Object.defineProperty(exports, "filterCertAuthorities", ({ enumerable: true, get: function () { return filter_1.filterCertAuthorities; } }));
Object.defineProperty(exports, "filterTLogAuthorities", ({ enumerable: true, get: function () { return filter_1.filterTLogAuthorities; } }));
function toTrustMaterial(root, keys) {
    const keyFinder = typeof keys === 'function' ? keys : keyLocator(keys);
    return {
        certificateAuthorities: root.certificateAuthorities.map(createCertAuthority),
        timestampAuthorities: root.timestampAuthorities.map(createCertAuthority),
        tlogs: root.tlogs.map(createTLogAuthority),
        ctlogs: root.ctlogs.map(createTLogAuthority),
        publicKey: keyFinder,
    };
}
function createTLogAuthority(tlogInstance) {
    const keyDetails = tlogInstance.publicKey.keyDetails;
    const keyType = keyDetails === protobuf_specs_1.PublicKeyDetails.PKCS1_RSA_PKCS1V5 ||
        keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V5 ||
        keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V15_2048_SHA256 ||
        keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V15_3072_SHA256 ||
        keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V15_4096_SHA256
        ? 'pkcs1'
        : 'spki';
    /* istanbul ignore next */
    return {
        baseURL: tlogInstance.baseUrl,
        logID: tlogInstance.checkpointKeyId
            ? tlogInstance.checkpointKeyId.keyId
            : tlogInstance.logId.keyId,
        publicKey: core_1.crypto.createPublicKey(tlogInstance.publicKey.rawBytes, keyType),
        validFor: {
            start: tlogInstance.publicKey.validFor?.start || BEGINNING_OF_TIME,
            end: tlogInstance.publicKey.validFor?.end || END_OF_TIME,
        },
    };
}
function createCertAuthority(ca) {
    /* istanbul ignore next */
    return {
        certChain: ca.certChain.certificates.map((cert) => {
            return core_1.X509Certificate.parse(Buffer.from(cert.rawBytes));
        }),
        validFor: {
            start: ca.validFor?.start || BEGINNING_OF_TIME,
            end: ca.validFor?.end || END_OF_TIME,
        },
    };
}
function keyLocator(keys) {
    return (hint) => {
        const key = (keys || {})[hint];
        if (!key) {
            throw new error_1.VerificationError({
                code: 'PUBLIC_KEY_ERROR',
                message: `key not found: ${hint}`,
            });
        }
        return {
            publicKey: core_1.crypto.createPublicKey(key.rawBytes),
            validFor: (date) => {
                /* istanbul ignore next */
                return ((key.validFor?.start || BEGINNING_OF_TIME) <= date &&
                    (key.validFor?.end || END_OF_TIME) >= date);
            },
        };
    };
}


/***/ }),

/***/ 4433:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";

Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Verifier = void 0;
/*
Copyright 2023 The Sigstore Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/
const util_1 = __nccwpck_require__(9023);
const error_1 = __nccwpck_require__(6849);
const key_1 = __nccwpck_require__(3771);
const policy_1 = __nccwpck_require__(8037);
const timestamp_1 = __nccwpck_require__(7968);
const tlog_1 = __nccwpck_require__(8218);
class Verifier {
    trustMaterial;
    options;
    constructor(trustMaterial, options = {}) {
        this.trustMaterial = trustMaterial;
        this.options = {
            ctlogThreshold: options.ctlogThreshold ?? 1,
            tlogThreshold: options.tlogThreshold ?? 1,
            timestampThreshold: options.timestampThreshold ?? options.tsaThreshold ?? 1,
            tsaThreshold: 0,
        };
    }
    verify(entity, policy) {
        const timestamps = this.verifyTimestamps(entity);
        const signer = this.verifySigningKey(entity, timestamps);
        this.verifyTLogs(entity);
        this.verifySignature(entity, signer);
        if (policy) {
            this.verifyPolicy(policy, signer.identity || {});
        }
        return signer;
    }
    // Checks that all of the timestamps in the entity are valid and returns them
    verifyTimestamps(entity) {
        const timestamps = [];
        for (const timestamp of entity.timestamps) {
            switch (timestamp.$case) {
                case 'timestamp-authority':
                    timestamps.push((0, timestamp_1.getTSATimestamp)(timestamp.timestamp, entity.signature.signature, this.trustMaterial.timestampAuthorities));
                    break;
                case 'transparency-log': {
                    const result = (0, timestamp_1.getTLogTimestamp)(timestamp.tlogEntry);
                    if (result) {
                        timestamps.push(result);
                    }
                    break;
                }
            }
        }
        // Check for duplicate timestamps
        if (containsDupes(timestamps)) {
            throw new error_1.VerificationError({
                code: 'TIMESTAMP_ERROR',
                message: 'duplicate timestamp',
            });
        }
        if (timestamps.length < this.options.timestampThreshold) {
            throw new error_1.VerificationError({
                code: 'TIMESTAMP_ERROR',
                message: `expected ${this.options.timestampThreshold} timestamps, got ${timestamps.length}`,
            });
        }
        return timestamps.map((t) => t.timestamp);
    }
    // Checks that the signing key is valid for all of the the supplied timestamps
    // and returns the signer.
    verifySigningKey({ key }, timestamps) {
        switch (key.$case) {
            case 'public-key': {
                return (0, key_1.verifyPublicKey)(key.hint, timestamps, this.trustMaterial);
            }
            case 'certificate': {
                const result = (0, key_1.verifyCertificate)(key.certificate, timestamps, this.trustMaterial);
                /* istanbul ignore next - no fixture */
                if (containsDupes(result.scts)) {
                    throw new error_1.VerificationError({
                        code: 'CERTIFICATE_ERROR',
                        message: 'duplicate SCT',
                    });
                }
                if (result.scts.length < this.options.ctlogThreshold) {
                    throw new error_1.VerificationError({
                        code: 'CERTIFICATE_ERROR',
                        message: `expected ${this.options.ctlogThreshold} SCTs, got ${result.scts.length}`,
                    });
                }
                return result.signer;
            }
        }
    }
    // Checks that the tlog entries are valid for the supplied content
    verifyTLogs({ signature: content, tlogEntries }) {
        const entryIDs = [];
        tlogEntries.forEach((entry) => {
            (0, tlog_1.verifyTLogInclusion)(entry, this.trustMaterial.tlogs);
            (0, tlog_1.verifyTLogBody)(entry, content);
            entryIDs.push({
                logID: entry.logId.keyId,
                body: entry.canonicalizedBody,
            });
        });
        // Check for duplicate entries so that repeated copies of a single entry
        // cannot be counted more than once toward the threshold. Inclusion
        // verification authenticates the log ID and body, but a proof does not
        // authenticate the top-level log index.
        if (containsDupes(entryIDs)) {
            throw new error_1.VerificationError({
                code: 'TLOG_ERROR',
                message: 'duplicate tlog entry',
            });
        }
        if (entryIDs.length < this.options.tlogThreshold) {
            throw new error_1.VerificationError({
                code: 'TLOG_ERROR',
                message: `expected ${this.options.tlogThreshold} tlog entries, got ${entryIDs.length}`,
            });
        }
    }
    // Checks that the signature is valid for the supplied content
    verifySignature(entity, signer) {
        if (!entity.signature.verifySignature(signer.key)) {
            throw new error_1.VerificationError({
                code: 'SIGNATURE_ERROR',
                message: 'signature verification failed',
            });
        }
    }
    verifyPolicy(policy, identity) {
        // Check the subject alternative name of the signer matches the policy
        /* istanbul ignore else */
        if (policy.subjectAlternativeName) {
            (0, policy_1.verifySubjectAlternativeName)(policy.subjectAlternativeName, identity.subjectAlternativeName);
        }
        // Check that the extensions of the signer match the policy
        /* istanbul ignore else */
        if (policy.extensions) {
            (0, policy_1.verifyExtensions)(policy.extensions, identity.extensions);
        }
        // Check that the OIDs of the signer match the policy
        /* istanbul ignore if */
        if (policy.oids) {
            (0, policy_1.verifyOIDs)(policy.oids, identity.oids);
        }
    }
}
exports.Verifier = Verifier;
// Checks for duplicate items in the array. Objects are compared using
// deep equality.
function containsDupes(arr) {
    for (let i = 0; i < arr.length; i++) {
        for (let j = i + 1; j < arr.length; j++) {
            if ((0, util_1.isDeepStrictEqual)(arr[i], arr[j])) {
                return true;
            }
        }
    }
    return false;
}


/***/ }),

/***/ 668:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

(function(nacl) {
'use strict';

// Ported in 2014 by Dmitry Chestnykh and Devi Mandiri.
// Public domain.
//
// Implementation derived from TweetNaCl version 20140427.
// See for details: http://tweetnacl.cr.yp.to/

var gf = function(init) {
  var i, r = new Float64Array(16);
  if (init) for (i = 0; i < init.length; i++) r[i] = init[i];
  return r;
};

//  Pluggable, initialized in high-level API below.
var randombytes = function(/* x, n */) { throw new Error('no PRNG'); };

var _0 = new Uint8Array(16);
var _9 = new Uint8Array(32); _9[0] = 9;

var gf0 = gf(),
    gf1 = gf([1]),
    _121665 = gf([0xdb41, 1]),
    D = gf([0x78a3, 0x1359, 0x4dca, 0x75eb, 0xd8ab, 0x4141, 0x0a4d, 0x0070, 0xe898, 0x7779, 0x4079, 0x8cc7, 0xfe73, 0x2b6f, 0x6cee, 0x5203]),
    D2 = gf([0xf159, 0x26b2, 0x9b94, 0xebd6, 0xb156, 0x8283, 0x149a, 0x00e0, 0xd130, 0xeef3, 0x80f2, 0x198e, 0xfce7, 0x56df, 0xd9dc, 0x2406]),
    X = gf([0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525, 0xc760, 0x692c, 0xdc5c, 0xfdd6, 0xe231, 0xc0a4, 0x53fe, 0xcd6e, 0x36d3, 0x2169]),
    Y = gf([0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666]),
    I = gf([0xa0b0, 0x4a0e, 0x1b27, 0xc4ee, 0xe478, 0xad2f, 0x1806, 0x2f43, 0xd7a7, 0x3dfb, 0x0099, 0x2b4d, 0xdf0b, 0x4fc1, 0x2480, 0x2b83]);

function ts64(x, i, h, l) {
  x[i]   = (h >> 24) & 0xff;
  x[i+1] = (h >> 16) & 0xff;
  x[i+2] = (h >>  8) & 0xff;
  x[i+3] = h & 0xff;
  x[i+4] = (l >> 24)  & 0xff;
  x[i+5] = (l >> 16)  & 0xff;
  x[i+6] = (l >>  8)  & 0xff;
  x[i+7] = l & 0xff;
}

function vn(x, xi, y, yi, n) {
  var i,d = 0;
  for (i = 0; i < n; i++) d |= x[xi+i]^y[yi+i];
  return (1 & ((d - 1) >>> 8)) - 1;
}

function crypto_verify_16(x, xi, y, yi) {
  return vn(x,xi,y,yi,16);
}

function crypto_verify_32(x, xi, y, yi) {
  return vn(x,xi,y,yi,32);
}

function core_salsa20(o, p, k, c) {
  var j0  = c[ 0] & 0xff | (c[ 1] & 0xff)<<8 | (c[ 2] & 0xff)<<16 | (c[ 3] & 0xff)<<24,
      j1  = k[ 0] & 0xff | (k[ 1] & 0xff)<<8 | (k[ 2] & 0xff)<<16 | (k[ 3] & 0xff)<<24,
      j2  = k[ 4] & 0xff | (k[ 5] & 0xff)<<8 | (k[ 6] & 0xff)<<16 | (k[ 7] & 0xff)<<24,
      j3  = k[ 8] & 0xff | (k[ 9] & 0xff)<<8 | (k[10] & 0xff)<<16 | (k[11] & 0xff)<<24,
      j4  = k[12] & 0xff | (k[13] & 0xff)<<8 | (k[14] & 0xff)<<16 | (k[15] & 0xff)<<24,
      j5  = c[ 4] & 0xff | (c[ 5] & 0xff)<<8 | (c[ 6] & 0xff)<<16 | (c[ 7] & 0xff)<<24,
      j6  = p[ 0] & 0xff | (p[ 1] & 0xff)<<8 | (p[ 2] & 0xff)<<16 | (p[ 3] & 0xff)<<24,
      j7  = p[ 4] & 0xff | (p[ 5] & 0xff)<<8 | (p[ 6] & 0xff)<<16 | (p[ 7] & 0xff)<<24,
      j8  = p[ 8] & 0xff | (p[ 9] & 0xff)<<8 | (p[10] & 0xff)<<16 | (p[11] & 0xff)<<24,
      j9  = p[12] & 0xff | (p[13] & 0xff)<<8 | (p[14] & 0xff)<<16 | (p[15] & 0xff)<<24,
      j10 = c[ 8] & 0xff | (c[ 9] & 0xff)<<8 | (c[10] & 0xff)<<16 | (c[11] & 0xff)<<24,
      j11 = k[16] & 0xff | (k[17] & 0xff)<<8 | (k[18] & 0xff)<<16 | (k[19] & 0xff)<<24,
      j12 = k[20] & 0xff | (k[21] & 0xff)<<8 | (k[22] & 0xff)<<16 | (k[23] & 0xff)<<24,
      j13 = k[24] & 0xff | (k[25] & 0xff)<<8 | (k[26] & 0xff)<<16 | (k[27] & 0xff)<<24,
      j14 = k[28] & 0xff | (k[29] & 0xff)<<8 | (k[30] & 0xff)<<16 | (k[31] & 0xff)<<24,
      j15 = c[12] & 0xff | (c[13] & 0xff)<<8 | (c[14] & 0xff)<<16 | (c[15] & 0xff)<<24;

  var x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7,
      x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14,
      x15 = j15, u;

  for (var i = 0; i < 20; i += 2) {
    u = x0 + x12 | 0;
    x4 ^= u<<7 | u>>>(32-7);
    u = x4 + x0 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x4 | 0;
    x12 ^= u<<13 | u>>>(32-13);
    u = x12 + x8 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x1 | 0;
    x9 ^= u<<7 | u>>>(32-7);
    u = x9 + x5 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x9 | 0;
    x1 ^= u<<13 | u>>>(32-13);
    u = x1 + x13 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x6 | 0;
    x14 ^= u<<7 | u>>>(32-7);
    u = x14 + x10 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x14 | 0;
    x6 ^= u<<13 | u>>>(32-13);
    u = x6 + x2 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x11 | 0;
    x3 ^= u<<7 | u>>>(32-7);
    u = x3 + x15 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x3 | 0;
    x11 ^= u<<13 | u>>>(32-13);
    u = x11 + x7 | 0;
    x15 ^= u<<18 | u>>>(32-18);

    u = x0 + x3 | 0;
    x1 ^= u<<7 | u>>>(32-7);
    u = x1 + x0 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x1 | 0;
    x3 ^= u<<13 | u>>>(32-13);
    u = x3 + x2 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x4 | 0;
    x6 ^= u<<7 | u>>>(32-7);
    u = x6 + x5 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x6 | 0;
    x4 ^= u<<13 | u>>>(32-13);
    u = x4 + x7 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x9 | 0;
    x11 ^= u<<7 | u>>>(32-7);
    u = x11 + x10 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x11 | 0;
    x9 ^= u<<13 | u>>>(32-13);
    u = x9 + x8 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x14 | 0;
    x12 ^= u<<7 | u>>>(32-7);
    u = x12 + x15 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x12 | 0;
    x14 ^= u<<13 | u>>>(32-13);
    u = x14 + x13 | 0;
    x15 ^= u<<18 | u>>>(32-18);
  }
   x0 =  x0 +  j0 | 0;
   x1 =  x1 +  j1 | 0;
   x2 =  x2 +  j2 | 0;
   x3 =  x3 +  j3 | 0;
   x4 =  x4 +  j4 | 0;
   x5 =  x5 +  j5 | 0;
   x6 =  x6 +  j6 | 0;
   x7 =  x7 +  j7 | 0;
   x8 =  x8 +  j8 | 0;
   x9 =  x9 +  j9 | 0;
  x10 = x10 + j10 | 0;
  x11 = x11 + j11 | 0;
  x12 = x12 + j12 | 0;
  x13 = x13 + j13 | 0;
  x14 = x14 + j14 | 0;
  x15 = x15 + j15 | 0;

  o[ 0] = x0 >>>  0 & 0xff;
  o[ 1] = x0 >>>  8 & 0xff;
  o[ 2] = x0 >>> 16 & 0xff;
  o[ 3] = x0 >>> 24 & 0xff;

  o[ 4] = x1 >>>  0 & 0xff;
  o[ 5] = x1 >>>  8 & 0xff;
  o[ 6] = x1 >>> 16 & 0xff;
  o[ 7] = x1 >>> 24 & 0xff;

  o[ 8] = x2 >>>  0 & 0xff;
  o[ 9] = x2 >>>  8 & 0xff;
  o[10] = x2 >>> 16 & 0xff;
  o[11] = x2 >>> 24 & 0xff;

  o[12] = x3 >>>  0 & 0xff;
  o[13] = x3 >>>  8 & 0xff;
  o[14] = x3 >>> 16 & 0xff;
  o[15] = x3 >>> 24 & 0xff;

  o[16] = x4 >>>  0 & 0xff;
  o[17] = x4 >>>  8 & 0xff;
  o[18] = x4 >>> 16 & 0xff;
  o[19] = x4 >>> 24 & 0xff;

  o[20] = x5 >>>  0 & 0xff;
  o[21] = x5 >>>  8 & 0xff;
  o[22] = x5 >>> 16 & 0xff;
  o[23] = x5 >>> 24 & 0xff;

  o[24] = x6 >>>  0 & 0xff;
  o[25] = x6 >>>  8 & 0xff;
  o[26] = x6 >>> 16 & 0xff;
  o[27] = x6 >>> 24 & 0xff;

  o[28] = x7 >>>  0 & 0xff;
  o[29] = x7 >>>  8 & 0xff;
  o[30] = x7 >>> 16 & 0xff;
  o[31] = x7 >>> 24 & 0xff;

  o[32] = x8 >>>  0 & 0xff;
  o[33] = x8 >>>  8 & 0xff;
  o[34] = x8 >>> 16 & 0xff;
  o[35] = x8 >>> 24 & 0xff;

  o[36] = x9 >>>  0 & 0xff;
  o[37] = x9 >>>  8 & 0xff;
  o[38] = x9 >>> 16 & 0xff;
  o[39] = x9 >>> 24 & 0xff;

  o[40] = x10 >>>  0 & 0xff;
  o[41] = x10 >>>  8 & 0xff;
  o[42] = x10 >>> 16 & 0xff;
  o[43] = x10 >>> 24 & 0xff;

  o[44] = x11 >>>  0 & 0xff;
  o[45] = x11 >>>  8 & 0xff;
  o[46] = x11 >>> 16 & 0xff;
  o[47] = x11 >>> 24 & 0xff;

  o[48] = x12 >>>  0 & 0xff;
  o[49] = x12 >>>  8 & 0xff;
  o[50] = x12 >>> 16 & 0xff;
  o[51] = x12 >>> 24 & 0xff;

  o[52] = x13 >>>  0 & 0xff;
  o[53] = x13 >>>  8 & 0xff;
  o[54] = x13 >>> 16 & 0xff;
  o[55] = x13 >>> 24 & 0xff;

  o[56] = x14 >>>  0 & 0xff;
  o[57] = x14 >>>  8 & 0xff;
  o[58] = x14 >>> 16 & 0xff;
  o[59] = x14 >>> 24 & 0xff;

  o[60] = x15 >>>  0 & 0xff;
  o[61] = x15 >>>  8 & 0xff;
  o[62] = x15 >>> 16 & 0xff;
  o[63] = x15 >>> 24 & 0xff;
}

function core_hsalsa20(o,p,k,c) {
  var j0  = c[ 0] & 0xff | (c[ 1] & 0xff)<<8 | (c[ 2] & 0xff)<<16 | (c[ 3] & 0xff)<<24,
      j1  = k[ 0] & 0xff | (k[ 1] & 0xff)<<8 | (k[ 2] & 0xff)<<16 | (k[ 3] & 0xff)<<24,
      j2  = k[ 4] & 0xff | (k[ 5] & 0xff)<<8 | (k[ 6] & 0xff)<<16 | (k[ 7] & 0xff)<<24,
      j3  = k[ 8] & 0xff | (k[ 9] & 0xff)<<8 | (k[10] & 0xff)<<16 | (k[11] & 0xff)<<24,
      j4  = k[12] & 0xff | (k[13] & 0xff)<<8 | (k[14] & 0xff)<<16 | (k[15] & 0xff)<<24,
      j5  = c[ 4] & 0xff | (c[ 5] & 0xff)<<8 | (c[ 6] & 0xff)<<16 | (c[ 7] & 0xff)<<24,
      j6  = p[ 0] & 0xff | (p[ 1] & 0xff)<<8 | (p[ 2] & 0xff)<<16 | (p[ 3] & 0xff)<<24,
      j7  = p[ 4] & 0xff | (p[ 5] & 0xff)<<8 | (p[ 6] & 0xff)<<16 | (p[ 7] & 0xff)<<24,
      j8  = p[ 8] & 0xff | (p[ 9] & 0xff)<<8 | (p[10] & 0xff)<<16 | (p[11] & 0xff)<<24,
      j9  = p[12] & 0xff | (p[13] & 0xff)<<8 | (p[14] & 0xff)<<16 | (p[15] & 0xff)<<24,
      j10 = c[ 8] & 0xff | (c[ 9] & 0xff)<<8 | (c[10] & 0xff)<<16 | (c[11] & 0xff)<<24,
      j11 = k[16] & 0xff | (k[17] & 0xff)<<8 | (k[18] & 0xff)<<16 | (k[19] & 0xff)<<24,
      j12 = k[20] & 0xff | (k[21] & 0xff)<<8 | (k[22] & 0xff)<<16 | (k[23] & 0xff)<<24,
      j13 = k[24] & 0xff | (k[25] & 0xff)<<8 | (k[26] & 0xff)<<16 | (k[27] & 0xff)<<24,
      j14 = k[28] & 0xff | (k[29] & 0xff)<<8 | (k[30] & 0xff)<<16 | (k[31] & 0xff)<<24,
      j15 = c[12] & 0xff | (c[13] & 0xff)<<8 | (c[14] & 0xff)<<16 | (c[15] & 0xff)<<24;

  var x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7,
      x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14,
      x15 = j15, u;

  for (var i = 0; i < 20; i += 2) {
    u = x0 + x12 | 0;
    x4 ^= u<<7 | u>>>(32-7);
    u = x4 + x0 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x4 | 0;
    x12 ^= u<<13 | u>>>(32-13);
    u = x12 + x8 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x1 | 0;
    x9 ^= u<<7 | u>>>(32-7);
    u = x9 + x5 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x9 | 0;
    x1 ^= u<<13 | u>>>(32-13);
    u = x1 + x13 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x6 | 0;
    x14 ^= u<<7 | u>>>(32-7);
    u = x14 + x10 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x14 | 0;
    x6 ^= u<<13 | u>>>(32-13);
    u = x6 + x2 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x11 | 0;
    x3 ^= u<<7 | u>>>(32-7);
    u = x3 + x15 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x3 | 0;
    x11 ^= u<<13 | u>>>(32-13);
    u = x11 + x7 | 0;
    x15 ^= u<<18 | u>>>(32-18);

    u = x0 + x3 | 0;
    x1 ^= u<<7 | u>>>(32-7);
    u = x1 + x0 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x1 | 0;
    x3 ^= u<<13 | u>>>(32-13);
    u = x3 + x2 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x4 | 0;
    x6 ^= u<<7 | u>>>(32-7);
    u = x6 + x5 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x6 | 0;
    x4 ^= u<<13 | u>>>(32-13);
    u = x4 + x7 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x9 | 0;
    x11 ^= u<<7 | u>>>(32-7);
    u = x11 + x10 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x11 | 0;
    x9 ^= u<<13 | u>>>(32-13);
    u = x9 + x8 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x14 | 0;
    x12 ^= u<<7 | u>>>(32-7);
    u = x12 + x15 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x12 | 0;
    x14 ^= u<<13 | u>>>(32-13);
    u = x14 + x13 | 0;
    x15 ^= u<<18 | u>>>(32-18);
  }

  o[ 0] = x0 >>>  0 & 0xff;
  o[ 1] = x0 >>>  8 & 0xff;
  o[ 2] = x0 >>> 16 & 0xff;
  o[ 3] = x0 >>> 24 & 0xff;

  o[ 4] = x5 >>>  0 & 0xff;
  o[ 5] = x5 >>>  8 & 0xff;
  o[ 6] = x5 >>> 16 & 0xff;
  o[ 7] = x5 >>> 24 & 0xff;

  o[ 8] = x10 >>>  0 & 0xff;
  o[ 9] = x10 >>>  8 & 0xff;
  o[10] = x10 >>> 16 & 0xff;
  o[11] = x10 >>> 24 & 0xff;

  o[12] = x15 >>>  0 & 0xff;
  o[13] = x15 >>>  8 & 0xff;
  o[14] = x15 >>> 16 & 0xff;
  o[15] = x15 >>> 24 & 0xff;

  o[16] = x6 >>>  0 & 0xff;
  o[17] = x6 >>>  8 & 0xff;
  o[18] = x6 >>> 16 & 0xff;
  o[19] = x6 >>> 24 & 0xff;

  o[20] = x7 >>>  0 & 0xff;
  o[21] = x7 >>>  8 & 0xff;
  o[22] = x7 >>> 16 & 0xff;
  o[23] = x7 >>> 24 & 0xff;

  o[24] = x8 >>>  0 & 0xff;
  o[25] = x8 >>>  8 & 0xff;
  o[26] = x8 >>> 16 & 0xff;
  o[27] = x8 >>> 24 & 0xff;

  o[28] = x9 >>>  0 & 0xff;
  o[29] = x9 >>>  8 & 0xff;
  o[30] = x9 >>> 16 & 0xff;
  o[31] = x9 >>> 24 & 0xff;
}

function crypto_core_salsa20(out,inp,k,c) {
  core_salsa20(out,inp,k,c);
}

function crypto_core_hsalsa20(out,inp,k,c) {
  core_hsalsa20(out,inp,k,c);
}

var sigma = new Uint8Array([101, 120, 112, 97, 110, 100, 32, 51, 50, 45, 98, 121, 116, 101, 32, 107]);
            // "expand 32-byte k"

function crypto_stream_salsa20_xor(c,cpos,m,mpos,b,n,k) {
  var z = new Uint8Array(16), x = new Uint8Array(64);
  var u, i;
  for (i = 0; i < 16; i++) z[i] = 0;
  for (i = 0; i < 8; i++) z[i] = n[i];
  while (b >= 64) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < 64; i++) c[cpos+i] = m[mpos+i] ^ x[i];
    u = 1;
    for (i = 8; i < 16; i++) {
      u = u + (z[i] & 0xff) | 0;
      z[i] = u & 0xff;
      u >>>= 8;
    }
    b -= 64;
    cpos += 64;
    mpos += 64;
  }
  if (b > 0) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < b; i++) c[cpos+i] = m[mpos+i] ^ x[i];
  }
  return 0;
}

function crypto_stream_salsa20(c,cpos,b,n,k) {
  var z = new Uint8Array(16), x = new Uint8Array(64);
  var u, i;
  for (i = 0; i < 16; i++) z[i] = 0;
  for (i = 0; i < 8; i++) z[i] = n[i];
  while (b >= 64) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < 64; i++) c[cpos+i] = x[i];
    u = 1;
    for (i = 8; i < 16; i++) {
      u = u + (z[i] & 0xff) | 0;
      z[i] = u & 0xff;
      u >>>= 8;
    }
    b -= 64;
    cpos += 64;
  }
  if (b > 0) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < b; i++) c[cpos+i] = x[i];
  }
  return 0;
}

function crypto_stream(c,cpos,d,n,k) {
  var s = new Uint8Array(32);
  crypto_core_hsalsa20(s,n,k,sigma);
  var sn = new Uint8Array(8);
  for (var i = 0; i < 8; i++) sn[i] = n[i+16];
  return crypto_stream_salsa20(c,cpos,d,sn,s);
}

function crypto_stream_xor(c,cpos,m,mpos,d,n,k) {
  var s = new Uint8Array(32);
  crypto_core_hsalsa20(s,n,k,sigma);
  var sn = new Uint8Array(8);
  for (var i = 0; i < 8; i++) sn[i] = n[i+16];
  return crypto_stream_salsa20_xor(c,cpos,m,mpos,d,sn,s);
}

/*
* Port of Andrew Moon's Poly1305-donna-16. Public domain.
* https://github.com/floodyberry/poly1305-donna
*/

var poly1305 = function(key) {
  this.buffer = new Uint8Array(16);
  this.r = new Uint16Array(10);
  this.h = new Uint16Array(10);
  this.pad = new Uint16Array(8);
  this.leftover = 0;
  this.fin = 0;

  var t0, t1, t2, t3, t4, t5, t6, t7;

  t0 = key[ 0] & 0xff | (key[ 1] & 0xff) << 8; this.r[0] = ( t0                     ) & 0x1fff;
  t1 = key[ 2] & 0xff | (key[ 3] & 0xff) << 8; this.r[1] = ((t0 >>> 13) | (t1 <<  3)) & 0x1fff;
  t2 = key[ 4] & 0xff | (key[ 5] & 0xff) << 8; this.r[2] = ((t1 >>> 10) | (t2 <<  6)) & 0x1f03;
  t3 = key[ 6] & 0xff | (key[ 7] & 0xff) << 8; this.r[3] = ((t2 >>>  7) | (t3 <<  9)) & 0x1fff;
  t4 = key[ 8] & 0xff | (key[ 9] & 0xff) << 8; this.r[4] = ((t3 >>>  4) | (t4 << 12)) & 0x00ff;
  this.r[5] = ((t4 >>>  1)) & 0x1ffe;
  t5 = key[10] & 0xff | (key[11] & 0xff) << 8; this.r[6] = ((t4 >>> 14) | (t5 <<  2)) & 0x1fff;
  t6 = key[12] & 0xff | (key[13] & 0xff) << 8; this.r[7] = ((t5 >>> 11) | (t6 <<  5)) & 0x1f81;
  t7 = key[14] & 0xff | (key[15] & 0xff) << 8; this.r[8] = ((t6 >>>  8) | (t7 <<  8)) & 0x1fff;
  this.r[9] = ((t7 >>>  5)) & 0x007f;

  this.pad[0] = key[16] & 0xff | (key[17] & 0xff) << 8;
  this.pad[1] = key[18] & 0xff | (key[19] & 0xff) << 8;
  this.pad[2] = key[20] & 0xff | (key[21] & 0xff) << 8;
  this.pad[3] = key[22] & 0xff | (key[23] & 0xff) << 8;
  this.pad[4] = key[24] & 0xff | (key[25] & 0xff) << 8;
  this.pad[5] = key[26] & 0xff | (key[27] & 0xff) << 8;
  this.pad[6] = key[28] & 0xff | (key[29] & 0xff) << 8;
  this.pad[7] = key[30] & 0xff | (key[31] & 0xff) << 8;
};

poly1305.prototype.blocks = function(m, mpos, bytes) {
  var hibit = this.fin ? 0 : (1 << 11);
  var t0, t1, t2, t3, t4, t5, t6, t7, c;
  var d0, d1, d2, d3, d4, d5, d6, d7, d8, d9;

  var h0 = this.h[0],
      h1 = this.h[1],
      h2 = this.h[2],
      h3 = this.h[3],
      h4 = this.h[4],
      h5 = this.h[5],
      h6 = this.h[6],
      h7 = this.h[7],
      h8 = this.h[8],
      h9 = this.h[9];

  var r0 = this.r[0],
      r1 = this.r[1],
      r2 = this.r[2],
      r3 = this.r[3],
      r4 = this.r[4],
      r5 = this.r[5],
      r6 = this.r[6],
      r7 = this.r[7],
      r8 = this.r[8],
      r9 = this.r[9];

  while (bytes >= 16) {
    t0 = m[mpos+ 0] & 0xff | (m[mpos+ 1] & 0xff) << 8; h0 += ( t0                     ) & 0x1fff;
    t1 = m[mpos+ 2] & 0xff | (m[mpos+ 3] & 0xff) << 8; h1 += ((t0 >>> 13) | (t1 <<  3)) & 0x1fff;
    t2 = m[mpos+ 4] & 0xff | (m[mpos+ 5] & 0xff) << 8; h2 += ((t1 >>> 10) | (t2 <<  6)) & 0x1fff;
    t3 = m[mpos+ 6] & 0xff | (m[mpos+ 7] & 0xff) << 8; h3 += ((t2 >>>  7) | (t3 <<  9)) & 0x1fff;
    t4 = m[mpos+ 8] & 0xff | (m[mpos+ 9] & 0xff) << 8; h4 += ((t3 >>>  4) | (t4 << 12)) & 0x1fff;
    h5 += ((t4 >>>  1)) & 0x1fff;
    t5 = m[mpos+10] & 0xff | (m[mpos+11] & 0xff) << 8; h6 += ((t4 >>> 14) | (t5 <<  2)) & 0x1fff;
    t6 = m[mpos+12] & 0xff | (m[mpos+13] & 0xff) << 8; h7 += ((t5 >>> 11) | (t6 <<  5)) & 0x1fff;
    t7 = m[mpos+14] & 0xff | (m[mpos+15] & 0xff) << 8; h8 += ((t6 >>>  8) | (t7 <<  8)) & 0x1fff;
    h9 += ((t7 >>> 5)) | hibit;

    c = 0;

    d0 = c;
    d0 += h0 * r0;
    d0 += h1 * (5 * r9);
    d0 += h2 * (5 * r8);
    d0 += h3 * (5 * r7);
    d0 += h4 * (5 * r6);
    c = (d0 >>> 13); d0 &= 0x1fff;
    d0 += h5 * (5 * r5);
    d0 += h6 * (5 * r4);
    d0 += h7 * (5 * r3);
    d0 += h8 * (5 * r2);
    d0 += h9 * (5 * r1);
    c += (d0 >>> 13); d0 &= 0x1fff;

    d1 = c;
    d1 += h0 * r1;
    d1 += h1 * r0;
    d1 += h2 * (5 * r9);
    d1 += h3 * (5 * r8);
    d1 += h4 * (5 * r7);
    c = (d1 >>> 13); d1 &= 0x1fff;
    d1 += h5 * (5 * r6);
    d1 += h6 * (5 * r5);
    d1 += h7 * (5 * r4);
    d1 += h8 * (5 * r3);
    d1 += h9 * (5 * r2);
    c += (d1 >>> 13); d1 &= 0x1fff;

    d2 = c;
    d2 += h0 * r2;
    d2 += h1 * r1;
    d2 += h2 * r0;
    d2 += h3 * (5 * r9);
    d2 += h4 * (5 * r8);
    c = (d2 >>> 13); d2 &= 0x1fff;
    d2 += h5 * (5 * r7);
    d2 += h6 * (5 * r6);
    d2 += h7 * (5 * r5);
    d2 += h8 * (5 * r4);
    d2 += h9 * (5 * r3);
    c += (d2 >>> 13); d2 &= 0x1fff;

    d3 = c;
    d3 += h0 * r3;
    d3 += h1 * r2;
    d3 += h2 * r1;
    d3 += h3 * r0;
    d3 += h4 * (5 * r9);
    c = (d3 >>> 13); d3 &= 0x1fff;
    d3 += h5 * (5 * r8);
    d3 += h6 * (5 * r7);
    d3 += h7 * (5 * r6);
    d3 += h8 * (5 * r5);
    d3 += h9 * (5 * r4);
    c += (d3 >>> 13); d3 &= 0x1fff;

    d4 = c;
    d4 += h0 * r4;
    d4 += h1 * r3;
    d4 += h2 * r2;
    d4 += h3 * r1;
    d4 += h4 * r0;
    c = (d4 >>> 13); d4 &= 0x1fff;
    d4 += h5 * (5 * r9);
    d4 += h6 * (5 * r8);
    d4 += h7 * (5 * r7);
    d4 += h8 * (5 * r6);
    d4 += h9 * (5 * r5);
    c += (d4 >>> 13); d4 &= 0x1fff;

    d5 = c;
    d5 += h0 * r5;
    d5 += h1 * r4;
    d5 += h2 * r3;
    d5 += h3 * r2;
    d5 += h4 * r1;
    c = (d5 >>> 13); d5 &= 0x1fff;
    d5 += h5 * r0;
    d5 += h6 * (5 * r9);
    d5 += h7 * (5 * r8);
    d5 += h8 * (5 * r7);
    d5 += h9 * (5 * r6);
    c += (d5 >>> 13); d5 &= 0x1fff;

    d6 = c;
    d6 += h0 * r6;
    d6 += h1 * r5;
    d6 += h2 * r4;
    d6 += h3 * r3;
    d6 += h4 * r2;
    c = (d6 >>> 13); d6 &= 0x1fff;
    d6 += h5 * r1;
    d6 += h6 * r0;
    d6 += h7 * (5 * r9);
    d6 += h8 * (5 * r8);
    d6 += h9 * (5 * r7);
    c += (d6 >>> 13); d6 &= 0x1fff;

    d7 = c;
    d7 += h0 * r7;
    d7 += h1 * r6;
    d7 += h2 * r5;
    d7 += h3 * r4;
    d7 += h4 * r3;
    c = (d7 >>> 13); d7 &= 0x1fff;
    d7 += h5 * r2;
    d7 += h6 * r1;
    d7 += h7 * r0;
    d7 += h8 * (5 * r9);
    d7 += h9 * (5 * r8);
    c += (d7 >>> 13); d7 &= 0x1fff;

    d8 = c;
    d8 += h0 * r8;
    d8 += h1 * r7;
    d8 += h2 * r6;
    d8 += h3 * r5;
    d8 += h4 * r4;
    c = (d8 >>> 13); d8 &= 0x1fff;
    d8 += h5 * r3;
    d8 += h6 * r2;
    d8 += h7 * r1;
    d8 += h8 * r0;
    d8 += h9 * (5 * r9);
    c += (d8 >>> 13); d8 &= 0x1fff;

    d9 = c;
    d9 += h0 * r9;
    d9 += h1 * r8;
    d9 += h2 * r7;
    d9 += h3 * r6;
    d9 += h4 * r5;
    c = (d9 >>> 13); d9 &= 0x1fff;
    d9 += h5 * r4;
    d9 += h6 * r3;
    d9 += h7 * r2;
    d9 += h8 * r1;
    d9 += h9 * r0;
    c += (d9 >>> 13); d9 &= 0x1fff;

    c = (((c << 2) + c)) | 0;
    c = (c + d0) | 0;
    d0 = c & 0x1fff;
    c = (c >>> 13);
    d1 += c;

    h0 = d0;
    h1 = d1;
    h2 = d2;
    h3 = d3;
    h4 = d4;
    h5 = d5;
    h6 = d6;
    h7 = d7;
    h8 = d8;
    h9 = d9;

    mpos += 16;
    bytes -= 16;
  }
  this.h[0] = h0;
  this.h[1] = h1;
  this.h[2] = h2;
  this.h[3] = h3;
  this.h[4] = h4;
  this.h[5] = h5;
  this.h[6] = h6;
  this.h[7] = h7;
  this.h[8] = h8;
  this.h[9] = h9;
};

poly1305.prototype.finish = function(mac, macpos) {
  var g = new Uint16Array(10);
  var c, mask, f, i;

  if (this.leftover) {
    i = this.leftover;
    this.buffer[i++] = 1;
    for (; i < 16; i++) this.buffer[i] = 0;
    this.fin = 1;
    this.blocks(this.buffer, 0, 16);
  }

  c = this.h[1] >>> 13;
  this.h[1] &= 0x1fff;
  for (i = 2; i < 10; i++) {
    this.h[i] += c;
    c = this.h[i] >>> 13;
    this.h[i] &= 0x1fff;
  }
  this.h[0] += (c * 5);
  c = this.h[0] >>> 13;
  this.h[0] &= 0x1fff;
  this.h[1] += c;
  c = this.h[1] >>> 13;
  this.h[1] &= 0x1fff;
  this.h[2] += c;

  g[0] = this.h[0] + 5;
  c = g[0] >>> 13;
  g[0] &= 0x1fff;
  for (i = 1; i < 10; i++) {
    g[i] = this.h[i] + c;
    c = g[i] >>> 13;
    g[i] &= 0x1fff;
  }
  g[9] -= (1 << 13);

  mask = (c ^ 1) - 1;
  for (i = 0; i < 10; i++) g[i] &= mask;
  mask = ~mask;
  for (i = 0; i < 10; i++) this.h[i] = (this.h[i] & mask) | g[i];

  this.h[0] = ((this.h[0]       ) | (this.h[1] << 13)                    ) & 0xffff;
  this.h[1] = ((this.h[1] >>>  3) | (this.h[2] << 10)                    ) & 0xffff;
  this.h[2] = ((this.h[2] >>>  6) | (this.h[3] <<  7)                    ) & 0xffff;
  this.h[3] = ((this.h[3] >>>  9) | (this.h[4] <<  4)                    ) & 0xffff;
  this.h[4] = ((this.h[4] >>> 12) | (this.h[5] <<  1) | (this.h[6] << 14)) & 0xffff;
  this.h[5] = ((this.h[6] >>>  2) | (this.h[7] << 11)                    ) & 0xffff;
  this.h[6] = ((this.h[7] >>>  5) | (this.h[8] <<  8)                    ) & 0xffff;
  this.h[7] = ((this.h[8] >>>  8) | (this.h[9] <<  5)                    ) & 0xffff;

  f = this.h[0] + this.pad[0];
  this.h[0] = f & 0xffff;
  for (i = 1; i < 8; i++) {
    f = (((this.h[i] + this.pad[i]) | 0) + (f >>> 16)) | 0;
    this.h[i] = f & 0xffff;
  }

  mac[macpos+ 0] = (this.h[0] >>> 0) & 0xff;
  mac[macpos+ 1] = (this.h[0] >>> 8) & 0xff;
  mac[macpos+ 2] = (this.h[1] >>> 0) & 0xff;
  mac[macpos+ 3] = (this.h[1] >>> 8) & 0xff;
  mac[macpos+ 4] = (this.h[2] >>> 0) & 0xff;
  mac[macpos+ 5] = (this.h[2] >>> 8) & 0xff;
  mac[macpos+ 6] = (this.h[3] >>> 0) & 0xff;
  mac[macpos+ 7] = (this.h[3] >>> 8) & 0xff;
  mac[macpos+ 8] = (this.h[4] >>> 0) & 0xff;
  mac[macpos+ 9] = (this.h[4] >>> 8) & 0xff;
  mac[macpos+10] = (this.h[5] >>> 0) & 0xff;
  mac[macpos+11] = (this.h[5] >>> 8) & 0xff;
  mac[macpos+12] = (this.h[6] >>> 0) & 0xff;
  mac[macpos+13] = (this.h[6] >>> 8) & 0xff;
  mac[macpos+14] = (this.h[7] >>> 0) & 0xff;
  mac[macpos+15] = (this.h[7] >>> 8) & 0xff;
};

poly1305.prototype.update = function(m, mpos, bytes) {
  var i, want;

  if (this.leftover) {
    want = (16 - this.leftover);
    if (want > bytes)
      want = bytes;
    for (i = 0; i < want; i++)
      this.buffer[this.leftover + i] = m[mpos+i];
    bytes -= want;
    mpos += want;
    this.leftover += want;
    if (this.leftover < 16)
      return;
    this.blocks(this.buffer, 0, 16);
    this.leftover = 0;
  }

  if (bytes >= 16) {
    want = bytes - (bytes % 16);
    this.blocks(m, mpos, want);
    mpos += want;
    bytes -= want;
  }

  if (bytes) {
    for (i = 0; i < bytes; i++)
      this.buffer[this.leftover + i] = m[mpos+i];
    this.leftover += bytes;
  }
};

function crypto_onetimeauth(out, outpos, m, mpos, n, k) {
  var s = new poly1305(k);
  s.update(m, mpos, n);
  s.finish(out, outpos);
  return 0;
}

function crypto_onetimeauth_verify(h, hpos, m, mpos, n, k) {
  var x = new Uint8Array(16);
  crypto_onetimeauth(x,0,m,mpos,n,k);
  return crypto_verify_16(h,hpos,x,0);
}

function crypto_secretbox(c,m,d,n,k) {
  var i;
  if (d < 32) return -1;
  crypto_stream_xor(c,0,m,0,d,n,k);
  crypto_onetimeauth(c, 16, c, 32, d - 32, c);
  for (i = 0; i < 16; i++) c[i] = 0;
  return 0;
}

function crypto_secretbox_open(m,c,d,n,k) {
  var i;
  var x = new Uint8Array(32);
  if (d < 32) return -1;
  crypto_stream(x,0,32,n,k);
  if (crypto_onetimeauth_verify(c, 16,c, 32,d - 32,x) !== 0) return -1;
  crypto_stream_xor(m,0,c,0,d,n,k);
  for (i = 0; i < 32; i++) m[i] = 0;
  return 0;
}

function set25519(r, a) {
  var i;
  for (i = 0; i < 16; i++) r[i] = a[i]|0;
}

function car25519(o) {
  var i, v, c = 1;
  for (i = 0; i < 16; i++) {
    v = o[i] + c + 65535;
    c = Math.floor(v / 65536);
    o[i] = v - c * 65536;
  }
  o[0] += c-1 + 37 * (c-1);
}

function sel25519(p, q, b) {
  var t, c = ~(b-1);
  for (var i = 0; i < 16; i++) {
    t = c & (p[i] ^ q[i]);
    p[i] ^= t;
    q[i] ^= t;
  }
}

function pack25519(o, n) {
  var i, j, b;
  var m = gf(), t = gf();
  for (i = 0; i < 16; i++) t[i] = n[i];
  car25519(t);
  car25519(t);
  car25519(t);
  for (j = 0; j < 2; j++) {
    m[0] = t[0] - 0xffed;
    for (i = 1; i < 15; i++) {
      m[i] = t[i] - 0xffff - ((m[i-1]>>16) & 1);
      m[i-1] &= 0xffff;
    }
    m[15] = t[15] - 0x7fff - ((m[14]>>16) & 1);
    b = (m[15]>>16) & 1;
    m[14] &= 0xffff;
    sel25519(t, m, 1-b);
  }
  for (i = 0; i < 16; i++) {
    o[2*i] = t[i] & 0xff;
    o[2*i+1] = t[i]>>8;
  }
}

function neq25519(a, b) {
  var c = new Uint8Array(32), d = new Uint8Array(32);
  pack25519(c, a);
  pack25519(d, b);
  return crypto_verify_32(c, 0, d, 0);
}

function par25519(a) {
  var d = new Uint8Array(32);
  pack25519(d, a);
  return d[0] & 1;
}

function unpack25519(o, n) {
  var i;
  for (i = 0; i < 16; i++) o[i] = n[2*i] + (n[2*i+1] << 8);
  o[15] &= 0x7fff;
}

function A(o, a, b) {
  for (var i = 0; i < 16; i++) o[i] = a[i] + b[i];
}

function Z(o, a, b) {
  for (var i = 0; i < 16; i++) o[i] = a[i] - b[i];
}

function M(o, a, b) {
  var v, c,
     t0 = 0,  t1 = 0,  t2 = 0,  t3 = 0,  t4 = 0,  t5 = 0,  t6 = 0,  t7 = 0,
     t8 = 0,  t9 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0, t14 = 0, t15 = 0,
    t16 = 0, t17 = 0, t18 = 0, t19 = 0, t20 = 0, t21 = 0, t22 = 0, t23 = 0,
    t24 = 0, t25 = 0, t26 = 0, t27 = 0, t28 = 0, t29 = 0, t30 = 0,
    b0 = b[0],
    b1 = b[1],
    b2 = b[2],
    b3 = b[3],
    b4 = b[4],
    b5 = b[5],
    b6 = b[6],
    b7 = b[7],
    b8 = b[8],
    b9 = b[9],
    b10 = b[10],
    b11 = b[11],
    b12 = b[12],
    b13 = b[13],
    b14 = b[14],
    b15 = b[15];

  v = a[0];
  t0 += v * b0;
  t1 += v * b1;
  t2 += v * b2;
  t3 += v * b3;
  t4 += v * b4;
  t5 += v * b5;
  t6 += v * b6;
  t7 += v * b7;
  t8 += v * b8;
  t9 += v * b9;
  t10 += v * b10;
  t11 += v * b11;
  t12 += v * b12;
  t13 += v * b13;
  t14 += v * b14;
  t15 += v * b15;
  v = a[1];
  t1 += v * b0;
  t2 += v * b1;
  t3 += v * b2;
  t4 += v * b3;
  t5 += v * b4;
  t6 += v * b5;
  t7 += v * b6;
  t8 += v * b7;
  t9 += v * b8;
  t10 += v * b9;
  t11 += v * b10;
  t12 += v * b11;
  t13 += v * b12;
  t14 += v * b13;
  t15 += v * b14;
  t16 += v * b15;
  v = a[2];
  t2 += v * b0;
  t3 += v * b1;
  t4 += v * b2;
  t5 += v * b3;
  t6 += v * b4;
  t7 += v * b5;
  t8 += v * b6;
  t9 += v * b7;
  t10 += v * b8;
  t11 += v * b9;
  t12 += v * b10;
  t13 += v * b11;
  t14 += v * b12;
  t15 += v * b13;
  t16 += v * b14;
  t17 += v * b15;
  v = a[3];
  t3 += v * b0;
  t4 += v * b1;
  t5 += v * b2;
  t6 += v * b3;
  t7 += v * b4;
  t8 += v * b5;
  t9 += v * b6;
  t10 += v * b7;
  t11 += v * b8;
  t12 += v * b9;
  t13 += v * b10;
  t14 += v * b11;
  t15 += v * b12;
  t16 += v * b13;
  t17 += v * b14;
  t18 += v * b15;
  v = a[4];
  t4 += v * b0;
  t5 += v * b1;
  t6 += v * b2;
  t7 += v * b3;
  t8 += v * b4;
  t9 += v * b5;
  t10 += v * b6;
  t11 += v * b7;
  t12 += v * b8;
  t13 += v * b9;
  t14 += v * b10;
  t15 += v * b11;
  t16 += v * b12;
  t17 += v * b13;
  t18 += v * b14;
  t19 += v * b15;
  v = a[5];
  t5 += v * b0;
  t6 += v * b1;
  t7 += v * b2;
  t8 += v * b3;
  t9 += v * b4;
  t10 += v * b5;
  t11 += v * b6;
  t12 += v * b7;
  t13 += v * b8;
  t14 += v * b9;
  t15 += v * b10;
  t16 += v * b11;
  t17 += v * b12;
  t18 += v * b13;
  t19 += v * b14;
  t20 += v * b15;
  v = a[6];
  t6 += v * b0;
  t7 += v * b1;
  t8 += v * b2;
  t9 += v * b3;
  t10 += v * b4;
  t11 += v * b5;
  t12 += v * b6;
  t13 += v * b7;
  t14 += v * b8;
  t15 += v * b9;
  t16 += v * b10;
  t17 += v * b11;
  t18 += v * b12;
  t19 += v * b13;
  t20 += v * b14;
  t21 += v * b15;
  v = a[7];
  t7 += v * b0;
  t8 += v * b1;
  t9 += v * b2;
  t10 += v * b3;
  t11 += v * b4;
  t12 += v * b5;
  t13 += v * b6;
  t14 += v * b7;
  t15 += v * b8;
  t16 += v * b9;
  t17 += v * b10;
  t18 += v * b11;
  t19 += v * b12;
  t20 += v * b13;
  t21 += v * b14;
  t22 += v * b15;
  v = a[8];
  t8 += v * b0;
  t9 += v * b1;
  t10 += v * b2;
  t11 += v * b3;
  t12 += v * b4;
  t13 += v * b5;
  t14 += v * b6;
  t15 += v * b7;
  t16 += v * b8;
  t17 += v * b9;
  t18 += v * b10;
  t19 += v * b11;
  t20 += v * b12;
  t21 += v * b13;
  t22 += v * b14;
  t23 += v * b15;
  v = a[9];
  t9 += v * b0;
  t10 += v * b1;
  t11 += v * b2;
  t12 += v * b3;
  t13 += v * b4;
  t14 += v * b5;
  t15 += v * b6;
  t16 += v * b7;
  t17 += v * b8;
  t18 += v * b9;
  t19 += v * b10;
  t20 += v * b11;
  t21 += v * b12;
  t22 += v * b13;
  t23 += v * b14;
  t24 += v * b15;
  v = a[10];
  t10 += v * b0;
  t11 += v * b1;
  t12 += v * b2;
  t13 += v * b3;
  t14 += v * b4;
  t15 += v * b5;
  t16 += v * b6;
  t17 += v * b7;
  t18 += v * b8;
  t19 += v * b9;
  t20 += v * b10;
  t21 += v * b11;
  t22 += v * b12;
  t23 += v * b13;
  t24 += v * b14;
  t25 += v * b15;
  v = a[11];
  t11 += v * b0;
  t12 += v * b1;
  t13 += v * b2;
  t14 += v * b3;
  t15 += v * b4;
  t16 += v * b5;
  t17 += v * b6;
  t18 += v * b7;
  t19 += v * b8;
  t20 += v * b9;
  t21 += v * b10;
  t22 += v * b11;
  t23 += v * b12;
  t24 += v * b13;
  t25 += v * b14;
  t26 += v * b15;
  v = a[12];
  t12 += v * b0;
  t13 += v * b1;
  t14 += v * b2;
  t15 += v * b3;
  t16 += v * b4;
  t17 += v * b5;
  t18 += v * b6;
  t19 += v * b7;
  t20 += v * b8;
  t21 += v * b9;
  t22 += v * b10;
  t23 += v * b11;
  t24 += v * b12;
  t25 += v * b13;
  t26 += v * b14;
  t27 += v * b15;
  v = a[13];
  t13 += v * b0;
  t14 += v * b1;
  t15 += v * b2;
  t16 += v * b3;
  t17 += v * b4;
  t18 += v * b5;
  t19 += v * b6;
  t20 += v * b7;
  t21 += v * b8;
  t22 += v * b9;
  t23 += v * b10;
  t24 += v * b11;
  t25 += v * b12;
  t26 += v * b13;
  t27 += v * b14;
  t28 += v * b15;
  v = a[14];
  t14 += v * b0;
  t15 += v * b1;
  t16 += v * b2;
  t17 += v * b3;
  t18 += v * b4;
  t19 += v * b5;
  t20 += v * b6;
  t21 += v * b7;
  t22 += v * b8;
  t23 += v * b9;
  t24 += v * b10;
  t25 += v * b11;
  t26 += v * b12;
  t27 += v * b13;
  t28 += v * b14;
  t29 += v * b15;
  v = a[15];
  t15 += v * b0;
  t16 += v * b1;
  t17 += v * b2;
  t18 += v * b3;
  t19 += v * b4;
  t20 += v * b5;
  t21 += v * b6;
  t22 += v * b7;
  t23 += v * b8;
  t24 += v * b9;
  t25 += v * b10;
  t26 += v * b11;
  t27 += v * b12;
  t28 += v * b13;
  t29 += v * b14;
  t30 += v * b15;

  t0  += 38 * t16;
  t1  += 38 * t17;
  t2  += 38 * t18;
  t3  += 38 * t19;
  t4  += 38 * t20;
  t5  += 38 * t21;
  t6  += 38 * t22;
  t7  += 38 * t23;
  t8  += 38 * t24;
  t9  += 38 * t25;
  t10 += 38 * t26;
  t11 += 38 * t27;
  t12 += 38 * t28;
  t13 += 38 * t29;
  t14 += 38 * t30;
  // t15 left as is

  // first car
  c = 1;
  v =  t0 + c + 65535; c = Math.floor(v / 65536);  t0 = v - c * 65536;
  v =  t1 + c + 65535; c = Math.floor(v / 65536);  t1 = v - c * 65536;
  v =  t2 + c + 65535; c = Math.floor(v / 65536);  t2 = v - c * 65536;
  v =  t3 + c + 65535; c = Math.floor(v / 65536);  t3 = v - c * 65536;
  v =  t4 + c + 65535; c = Math.floor(v / 65536);  t4 = v - c * 65536;
  v =  t5 + c + 65535; c = Math.floor(v / 65536);  t5 = v - c * 65536;
  v =  t6 + c + 65535; c = Math.floor(v / 65536);  t6 = v - c * 65536;
  v =  t7 + c + 65535; c = Math.floor(v / 65536);  t7 = v - c * 65536;
  v =  t8 + c + 65535; c = Math.floor(v / 65536);  t8 = v - c * 65536;
  v =  t9 + c + 65535; c = Math.floor(v / 65536);  t9 = v - c * 65536;
  v = t10 + c + 65535; c = Math.floor(v / 65536); t10 = v - c * 65536;
  v = t11 + c + 65535; c = Math.floor(v / 65536); t11 = v - c * 65536;
  v = t12 + c + 65535; c = Math.floor(v / 65536); t12 = v - c * 65536;
  v = t13 + c + 65535; c = Math.floor(v / 65536); t13 = v - c * 65536;
  v = t14 + c + 65535; c = Math.floor(v / 65536); t14 = v - c * 65536;
  v = t15 + c + 65535; c = Math.floor(v / 65536); t15 = v - c * 65536;
  t0 += c-1 + 37 * (c-1);

  // second car
  c = 1;
  v =  t0 + c + 65535; c = Math.floor(v / 65536);  t0 = v - c * 65536;
  v =  t1 + c + 65535; c = Math.floor(v / 65536);  t1 = v - c * 65536;
  v =  t2 + c + 65535; c = Math.floor(v / 65536);  t2 = v - c * 65536;
  v =  t3 + c + 65535; c = Math.floor(v / 65536);  t3 = v - c * 65536;
  v =  t4 + c + 65535; c = Math.floor(v / 65536);  t4 = v - c * 65536;
  v =  t5 + c + 65535; c = Math.floor(v / 65536);  t5 = v - c * 65536;
  v =  t6 + c + 65535; c = Math.floor(v / 65536);  t6 = v - c * 65536;
  v =  t7 + c + 65535; c = Math.floor(v / 65536);  t7 = v - c * 65536;
  v =  t8 + c + 65535; c = Math.floor(v / 65536);  t8 = v - c * 65536;
  v =  t9 + c + 65535; c = Math.floor(v / 65536);  t9 = v - c * 65536;
  v = t10 + c + 65535; c = Math.floor(v / 65536); t10 = v - c * 65536;
  v = t11 + c + 65535; c = Math.floor(v / 65536); t11 = v - c * 65536;
  v = t12 + c + 65535; c = Math.floor(v / 65536); t12 = v - c * 65536;
  v = t13 + c + 65535; c = Math.floor(v / 65536); t13 = v - c * 65536;
  v = t14 + c + 65535; c = Math.floor(v / 65536); t14 = v - c * 65536;
  v = t15 + c + 65535; c = Math.floor(v / 65536); t15 = v - c * 65536;
  t0 += c-1 + 37 * (c-1);

  o[ 0] = t0;
  o[ 1] = t1;
  o[ 2] = t2;
  o[ 3] = t3;
  o[ 4] = t4;
  o[ 5] = t5;
  o[ 6] = t6;
  o[ 7] = t7;
  o[ 8] = t8;
  o[ 9] = t9;
  o[10] = t10;
  o[11] = t11;
  o[12] = t12;
  o[13] = t13;
  o[14] = t14;
  o[15] = t15;
}

function S(o, a) {
  M(o, a, a);
}

function inv25519(o, i) {
  var c = gf();
  var a;
  for (a = 0; a < 16; a++) c[a] = i[a];
  for (a = 253; a >= 0; a--) {
    S(c, c);
    if(a !== 2 && a !== 4) M(c, c, i);
  }
  for (a = 0; a < 16; a++) o[a] = c[a];
}

function pow2523(o, i) {
  var c = gf();
  var a;
  for (a = 0; a < 16; a++) c[a] = i[a];
  for (a = 250; a >= 0; a--) {
      S(c, c);
      if(a !== 1) M(c, c, i);
  }
  for (a = 0; a < 16; a++) o[a] = c[a];
}

function crypto_scalarmult(q, n, p) {
  var z = new Uint8Array(32);
  var x = new Float64Array(80), r, i;
  var a = gf(), b = gf(), c = gf(),
      d = gf(), e = gf(), f = gf();
  for (i = 0; i < 31; i++) z[i] = n[i];
  z[31]=(n[31]&127)|64;
  z[0]&=248;
  unpack25519(x,p);
  for (i = 0; i < 16; i++) {
    b[i]=x[i];
    d[i]=a[i]=c[i]=0;
  }
  a[0]=d[0]=1;
  for (i=254; i>=0; --i) {
    r=(z[i>>>3]>>>(i&7))&1;
    sel25519(a,b,r);
    sel25519(c,d,r);
    A(e,a,c);
    Z(a,a,c);
    A(c,b,d);
    Z(b,b,d);
    S(d,e);
    S(f,a);
    M(a,c,a);
    M(c,b,e);
    A(e,a,c);
    Z(a,a,c);
    S(b,a);
    Z(c,d,f);
    M(a,c,_121665);
    A(a,a,d);
    M(c,c,a);
    M(a,d,f);
    M(d,b,x);
    S(b,e);
    sel25519(a,b,r);
    sel25519(c,d,r);
  }
  for (i = 0; i < 16; i++) {
    x[i+16]=a[i];
    x[i+32]=c[i];
    x[i+48]=b[i];
    x[i+64]=d[i];
  }
  var x32 = x.subarray(32);
  var x16 = x.subarray(16);
  inv25519(x32,x32);
  M(x16,x16,x32);
  pack25519(q,x16);
  return 0;
}

function crypto_scalarmult_base(q, n) {
  return crypto_scalarmult(q, n, _9);
}

function crypto_box_keypair(y, x) {
  randombytes(x, 32);
  return crypto_scalarmult_base(y, x);
}

function crypto_box_beforenm(k, y, x) {
  var s = new Uint8Array(32);
  crypto_scalarmult(s, x, y);
  return crypto_core_hsalsa20(k, _0, s, sigma);
}

var crypto_box_afternm = crypto_secretbox;
var crypto_box_open_afternm = crypto_secretbox_open;

function crypto_box(c, m, d, n, y, x) {
  var k = new Uint8Array(32);
  crypto_box_beforenm(k, y, x);
  return crypto_box_afternm(c, m, d, n, k);
}

function crypto_box_open(m, c, d, n, y, x) {
  var k = new Uint8Array(32);
  crypto_box_beforenm(k, y, x);
  return crypto_box_open_afternm(m, c, d, n, k);
}

var K = [
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd,
  0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc,
  0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019,
  0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118,
  0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe,
  0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
  0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1,
  0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694,
  0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3,
  0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65,
  0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483,
  0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
  0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210,
  0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4,
  0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725,
  0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70,
  0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926,
  0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
  0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8,
  0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b,
  0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001,
  0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
  0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910,
  0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
  0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53,
  0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8,
  0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb,
  0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3,
  0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60,
  0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
  0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9,
  0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b,
  0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207,
  0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178,
  0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6,
  0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
  0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493,
  0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c,
  0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a,
  0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817
];

function crypto_hashblocks_hl(hh, hl, m, n) {
  var wh = new Int32Array(16), wl = new Int32Array(16),
      bh0, bh1, bh2, bh3, bh4, bh5, bh6, bh7,
      bl0, bl1, bl2, bl3, bl4, bl5, bl6, bl7,
      th, tl, i, j, h, l, a, b, c, d;

  var ah0 = hh[0],
      ah1 = hh[1],
      ah2 = hh[2],
      ah3 = hh[3],
      ah4 = hh[4],
      ah5 = hh[5],
      ah6 = hh[6],
      ah7 = hh[7],

      al0 = hl[0],
      al1 = hl[1],
      al2 = hl[2],
      al3 = hl[3],
      al4 = hl[4],
      al5 = hl[5],
      al6 = hl[6],
      al7 = hl[7];

  var pos = 0;
  while (n >= 128) {
    for (i = 0; i < 16; i++) {
      j = 8 * i + pos;
      wh[i] = (m[j+0] << 24) | (m[j+1] << 16) | (m[j+2] << 8) | m[j+3];
      wl[i] = (m[j+4] << 24) | (m[j+5] << 16) | (m[j+6] << 8) | m[j+7];
    }
    for (i = 0; i < 80; i++) {
      bh0 = ah0;
      bh1 = ah1;
      bh2 = ah2;
      bh3 = ah3;
      bh4 = ah4;
      bh5 = ah5;
      bh6 = ah6;
      bh7 = ah7;

      bl0 = al0;
      bl1 = al1;
      bl2 = al2;
      bl3 = al3;
      bl4 = al4;
      bl5 = al5;
      bl6 = al6;
      bl7 = al7;

      // add
      h = ah7;
      l = al7;

      a = l & 0xffff; b = l >>> 16;
      c = h & 0xffff; d = h >>> 16;

      // Sigma1
      h = ((ah4 >>> 14) | (al4 << (32-14))) ^ ((ah4 >>> 18) | (al4 << (32-18))) ^ ((al4 >>> (41-32)) | (ah4 << (32-(41-32))));
      l = ((al4 >>> 14) | (ah4 << (32-14))) ^ ((al4 >>> 18) | (ah4 << (32-18))) ^ ((ah4 >>> (41-32)) | (al4 << (32-(41-32))));

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // Ch
      h = (ah4 & ah5) ^ (~ah4 & ah6);
      l = (al4 & al5) ^ (~al4 & al6);

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // K
      h = K[i*2];
      l = K[i*2+1];

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // w
      h = wh[i%16];
      l = wl[i%16];

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      b += a >>> 16;
      c += b >>> 16;
      d += c >>> 16;

      th = c & 0xffff | d << 16;
      tl = a & 0xffff | b << 16;

      // add
      h = th;
      l = tl;

      a = l & 0xffff; b = l >>> 16;
      c = h & 0xffff; d = h >>> 16;

      // Sigma0
      h = ((ah0 >>> 28) | (al0 << (32-28))) ^ ((al0 >>> (34-32)) | (ah0 << (32-(34-32)))) ^ ((al0 >>> (39-32)) | (ah0 << (32-(39-32))));
      l = ((al0 >>> 28) | (ah0 << (32-28))) ^ ((ah0 >>> (34-32)) | (al0 << (32-(34-32)))) ^ ((ah0 >>> (39-32)) | (al0 << (32-(39-32))));

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // Maj
      h = (ah0 & ah1) ^ (ah0 & ah2) ^ (ah1 & ah2);
      l = (al0 & al1) ^ (al0 & al2) ^ (al1 & al2);

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      b += a >>> 16;
      c += b >>> 16;
      d += c >>> 16;

      bh7 = (c & 0xffff) | (d << 16);
      bl7 = (a & 0xffff) | (b << 16);

      // add
      h = bh3;
      l = bl3;

      a = l & 0xffff; b = l >>> 16;
      c = h & 0xffff; d = h >>> 16;

      h = th;
      l = tl;

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      b += a >>> 16;
      c += b >>> 16;
      d += c >>> 16;

      bh3 = (c & 0xffff) | (d << 16);
      bl3 = (a & 0xffff) | (b << 16);

      ah1 = bh0;
      ah2 = bh1;
      ah3 = bh2;
      ah4 = bh3;
      ah5 = bh4;
      ah6 = bh5;
      ah7 = bh6;
      ah0 = bh7;

      al1 = bl0;
      al2 = bl1;
      al3 = bl2;
      al4 = bl3;
      al5 = bl4;
      al6 = bl5;
      al7 = bl6;
      al0 = bl7;

      if (i%16 === 15) {
        for (j = 0; j < 16; j++) {
          // add
          h = wh[j];
          l = wl[j];

          a = l & 0xffff; b = l >>> 16;
          c = h & 0xffff; d = h >>> 16;

          h = wh[(j+9)%16];
          l = wl[(j+9)%16];

          a += l & 0xffff; b += l >>> 16;
          c += h & 0xffff; d += h >>> 16;

          // sigma0
          th = wh[(j+1)%16];
          tl = wl[(j+1)%16];
          h = ((th >>> 1) | (tl << (32-1))) ^ ((th >>> 8) | (tl << (32-8))) ^ (th >>> 7);
          l = ((tl >>> 1) | (th << (32-1))) ^ ((tl >>> 8) | (th << (32-8))) ^ ((tl >>> 7) | (th << (32-7)));

          a += l & 0xffff; b += l >>> 16;
          c += h & 0xffff; d += h >>> 16;

          // sigma1
          th = wh[(j+14)%16];
          tl = wl[(j+14)%16];
          h = ((th >>> 19) | (tl << (32-19))) ^ ((tl >>> (61-32)) | (th << (32-(61-32)))) ^ (th >>> 6);
          l = ((tl >>> 19) | (th << (32-19))) ^ ((th >>> (61-32)) | (tl << (32-(61-32)))) ^ ((tl >>> 6) | (th << (32-6)));

          a += l & 0xffff; b += l >>> 16;
          c += h & 0xffff; d += h >>> 16;

          b += a >>> 16;
          c += b >>> 16;
          d += c >>> 16;

          wh[j] = (c & 0xffff) | (d << 16);
          wl[j] = (a & 0xffff) | (b << 16);
        }
      }
    }

    // add
    h = ah0;
    l = al0;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[0];
    l = hl[0];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[0] = ah0 = (c & 0xffff) | (d << 16);
    hl[0] = al0 = (a & 0xffff) | (b << 16);

    h = ah1;
    l = al1;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[1];
    l = hl[1];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[1] = ah1 = (c & 0xffff) | (d << 16);
    hl[1] = al1 = (a & 0xffff) | (b << 16);

    h = ah2;
    l = al2;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[2];
    l = hl[2];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[2] = ah2 = (c & 0xffff) | (d << 16);
    hl[2] = al2 = (a & 0xffff) | (b << 16);

    h = ah3;
    l = al3;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[3];
    l = hl[3];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[3] = ah3 = (c & 0xffff) | (d << 16);
    hl[3] = al3 = (a & 0xffff) | (b << 16);

    h = ah4;
    l = al4;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[4];
    l = hl[4];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[4] = ah4 = (c & 0xffff) | (d << 16);
    hl[4] = al4 = (a & 0xffff) | (b << 16);

    h = ah5;
    l = al5;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[5];
    l = hl[5];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[5] = ah5 = (c & 0xffff) | (d << 16);
    hl[5] = al5 = (a & 0xffff) | (b << 16);

    h = ah6;
    l = al6;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[6];
    l = hl[6];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[6] = ah6 = (c & 0xffff) | (d << 16);
    hl[6] = al6 = (a & 0xffff) | (b << 16);

    h = ah7;
    l = al7;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[7];
    l = hl[7];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[7] = ah7 = (c & 0xffff) | (d << 16);
    hl[7] = al7 = (a & 0xffff) | (b << 16);

    pos += 128;
    n -= 128;
  }

  return n;
}

function crypto_hash(out, m, n) {
  var hh = new Int32Array(8),
      hl = new Int32Array(8),
      x = new Uint8Array(256),
      i, b = n;

  hh[0] = 0x6a09e667;
  hh[1] = 0xbb67ae85;
  hh[2] = 0x3c6ef372;
  hh[3] = 0xa54ff53a;
  hh[4] = 0x510e527f;
  hh[5] = 0x9b05688c;
  hh[6] = 0x1f83d9ab;
  hh[7] = 0x5be0cd19;

  hl[0] = 0xf3bcc908;
  hl[1] = 0x84caa73b;
  hl[2] = 0xfe94f82b;
  hl[3] = 0x5f1d36f1;
  hl[4] = 0xade682d1;
  hl[5] = 0x2b3e6c1f;
  hl[6] = 0xfb41bd6b;
  hl[7] = 0x137e2179;

  crypto_hashblocks_hl(hh, hl, m, n);
  n %= 128;

  for (i = 0; i < n; i++) x[i] = m[b-n+i];
  x[n] = 128;

  n = 256-128*(n<112?1:0);
  x[n-9] = 0;
  ts64(x, n-8,  (b / 0x20000000) | 0, b << 3);
  crypto_hashblocks_hl(hh, hl, x, n);

  for (i = 0; i < 8; i++) ts64(out, 8*i, hh[i], hl[i]);

  return 0;
}

function add(p, q) {
  var a = gf(), b = gf(), c = gf(),
      d = gf(), e = gf(), f = gf(),
      g = gf(), h = gf(), t = gf();

  Z(a, p[1], p[0]);
  Z(t, q[1], q[0]);
  M(a, a, t);
  A(b, p[0], p[1]);
  A(t, q[0], q[1]);
  M(b, b, t);
  M(c, p[3], q[3]);
  M(c, c, D2);
  M(d, p[2], q[2]);
  A(d, d, d);
  Z(e, b, a);
  Z(f, d, c);
  A(g, d, c);
  A(h, b, a);

  M(p[0], e, f);
  M(p[1], h, g);
  M(p[2], g, f);
  M(p[3], e, h);
}

function cswap(p, q, b) {
  var i;
  for (i = 0; i < 4; i++) {
    sel25519(p[i], q[i], b);
  }
}

function pack(r, p) {
  var tx = gf(), ty = gf(), zi = gf();
  inv25519(zi, p[2]);
  M(tx, p[0], zi);
  M(ty, p[1], zi);
  pack25519(r, ty);
  r[31] ^= par25519(tx) << 7;
}

function scalarmult(p, q, s) {
  var b, i;
  set25519(p[0], gf0);
  set25519(p[1], gf1);
  set25519(p[2], gf1);
  set25519(p[3], gf0);
  for (i = 255; i >= 0; --i) {
    b = (s[(i/8)|0] >> (i&7)) & 1;
    cswap(p, q, b);
    add(q, p);
    add(p, p);
    cswap(p, q, b);
  }
}

function scalarbase(p, s) {
  var q = [gf(), gf(), gf(), gf()];
  set25519(q[0], X);
  set25519(q[1], Y);
  set25519(q[2], gf1);
  M(q[3], X, Y);
  scalarmult(p, q, s);
}

function crypto_sign_keypair(pk, sk, seeded) {
  var d = new Uint8Array(64);
  var p = [gf(), gf(), gf(), gf()];
  var i;

  if (!seeded) randombytes(sk, 32);
  crypto_hash(d, sk, 32);
  d[0] &= 248;
  d[31] &= 127;
  d[31] |= 64;

  scalarbase(p, d);
  pack(pk, p);

  for (i = 0; i < 32; i++) sk[i+32] = pk[i];
  return 0;
}

var L = new Float64Array([0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]);

function modL(r, x) {
  var carry, i, j, k;
  for (i = 63; i >= 32; --i) {
    carry = 0;
    for (j = i - 32, k = i - 12; j < k; ++j) {
      x[j] += carry - 16 * x[i] * L[j - (i - 32)];
      carry = Math.floor((x[j] + 128) / 256);
      x[j] -= carry * 256;
    }
    x[j] += carry;
    x[i] = 0;
  }
  carry = 0;
  for (j = 0; j < 32; j++) {
    x[j] += carry - (x[31] >> 4) * L[j];
    carry = x[j] >> 8;
    x[j] &= 255;
  }
  for (j = 0; j < 32; j++) x[j] -= carry * L[j];
  for (i = 0; i < 32; i++) {
    x[i+1] += x[i] >> 8;
    r[i] = x[i] & 255;
  }
}

function reduce(r) {
  var x = new Float64Array(64), i;
  for (i = 0; i < 64; i++) x[i] = r[i];
  for (i = 0; i < 64; i++) r[i] = 0;
  modL(r, x);
}

// Note: difference from C - smlen returned, not passed as argument.
function crypto_sign(sm, m, n, sk) {
  var d = new Uint8Array(64), h = new Uint8Array(64), r = new Uint8Array(64);
  var i, j, x = new Float64Array(64);
  var p = [gf(), gf(), gf(), gf()];

  crypto_hash(d, sk, 32);
  d[0] &= 248;
  d[31] &= 127;
  d[31] |= 64;

  var smlen = n + 64;
  for (i = 0; i < n; i++) sm[64 + i] = m[i];
  for (i = 0; i < 32; i++) sm[32 + i] = d[32 + i];

  crypto_hash(r, sm.subarray(32), n+32);
  reduce(r);
  scalarbase(p, r);
  pack(sm, p);

  for (i = 32; i < 64; i++) sm[i] = sk[i];
  crypto_hash(h, sm, n + 64);
  reduce(h);

  for (i = 0; i < 64; i++) x[i] = 0;
  for (i = 0; i < 32; i++) x[i] = r[i];
  for (i = 0; i < 32; i++) {
    for (j = 0; j < 32; j++) {
      x[i+j] += h[i] * d[j];
    }
  }

  modL(sm.subarray(32), x);
  return smlen;
}

function unpackneg(r, p) {
  var t = gf(), chk = gf(), num = gf(),
      den = gf(), den2 = gf(), den4 = gf(),
      den6 = gf();

  set25519(r[2], gf1);
  unpack25519(r[1], p);
  S(num, r[1]);
  M(den, num, D);
  Z(num, num, r[2]);
  A(den, r[2], den);

  S(den2, den);
  S(den4, den2);
  M(den6, den4, den2);
  M(t, den6, num);
  M(t, t, den);

  pow2523(t, t);
  M(t, t, num);
  M(t, t, den);
  M(t, t, den);
  M(r[0], t, den);

  S(chk, r[0]);
  M(chk, chk, den);
  if (neq25519(chk, num)) M(r[0], r[0], I);

  S(chk, r[0]);
  M(chk, chk, den);
  if (neq25519(chk, num)) return -1;

  if (par25519(r[0]) === (p[31]>>7)) Z(r[0], gf0, r[0]);

  M(r[3], r[0], r[1]);
  return 0;
}

function crypto_sign_open(m, sm, n, pk) {
  var i;
  var t = new Uint8Array(32), h = new Uint8Array(64);
  var p = [gf(), gf(), gf(), gf()],
      q = [gf(), gf(), gf(), gf()];

  if (n < 64) return -1;

  if (unpackneg(q, pk)) return -1;

  for (i = 0; i < n; i++) m[i] = sm[i];
  for (i = 0; i < 32; i++) m[i+32] = pk[i];
  crypto_hash(h, m, n);
  reduce(h);
  scalarmult(p, q, h);

  scalarbase(q, sm.subarray(32));
  add(p, q);
  pack(t, p);

  n -= 64;
  if (crypto_verify_32(sm, 0, t, 0)) {
    for (i = 0; i < n; i++) m[i] = 0;
    return -1;
  }

  for (i = 0; i < n; i++) m[i] = sm[i + 64];
  return n;
}

var crypto_secretbox_KEYBYTES = 32,
    crypto_secretbox_NONCEBYTES = 24,
    crypto_secretbox_ZEROBYTES = 32,
    crypto_secretbox_BOXZEROBYTES = 16,
    crypto_scalarmult_BYTES = 32,
    crypto_scalarmult_SCALARBYTES = 32,
    crypto_box_PUBLICKEYBYTES = 32,
    crypto_box_SECRETKEYBYTES = 32,
    crypto_box_BEFORENMBYTES = 32,
    crypto_box_NONCEBYTES = crypto_secretbox_NONCEBYTES,
    crypto_box_ZEROBYTES = crypto_secretbox_ZEROBYTES,
    crypto_box_BOXZEROBYTES = crypto_secretbox_BOXZEROBYTES,
    crypto_sign_BYTES = 64,
    crypto_sign_PUBLICKEYBYTES = 32,
    crypto_sign_SECRETKEYBYTES = 64,
    crypto_sign_SEEDBYTES = 32,
    crypto_hash_BYTES = 64;

nacl.lowlevel = {
  crypto_core_hsalsa20: crypto_core_hsalsa20,
  crypto_stream_xor: crypto_stream_xor,
  crypto_stream: crypto_stream,
  crypto_stream_salsa20_xor: crypto_stream_salsa20_xor,
  crypto_stream_salsa20: crypto_stream_salsa20,
  crypto_onetimeauth: crypto_onetimeauth,
  crypto_onetimeauth_verify: crypto_onetimeauth_verify,
  crypto_verify_16: crypto_verify_16,
  crypto_verify_32: crypto_verify_32,
  crypto_secretbox: crypto_secretbox,
  crypto_secretbox_open: crypto_secretbox_open,
  crypto_scalarmult: crypto_scalarmult,
  crypto_scalarmult_base: crypto_scalarmult_base,
  crypto_box_beforenm: crypto_box_beforenm,
  crypto_box_afternm: crypto_box_afternm,
  crypto_box: crypto_box,
  crypto_box_open: crypto_box_open,
  crypto_box_keypair: crypto_box_keypair,
  crypto_hash: crypto_hash,
  crypto_sign: crypto_sign,
  crypto_sign_keypair: crypto_sign_keypair,
  crypto_sign_open: crypto_sign_open,

  crypto_secretbox_KEYBYTES: crypto_secretbox_KEYBYTES,
  crypto_secretbox_NONCEBYTES: crypto_secretbox_NONCEBYTES,
  crypto_secretbox_ZEROBYTES: crypto_secretbox_ZEROBYTES,
  crypto_secretbox_BOXZEROBYTES: crypto_secretbox_BOXZEROBYTES,
  crypto_scalarmult_BYTES: crypto_scalarmult_BYTES,
  crypto_scalarmult_SCALARBYTES: crypto_scalarmult_SCALARBYTES,
  crypto_box_PUBLICKEYBYTES: crypto_box_PUBLICKEYBYTES,
  crypto_box_SECRETKEYBYTES: crypto_box_SECRETKEYBYTES,
  crypto_box_BEFORENMBYTES: crypto_box_BEFORENMBYTES,
  crypto_box_NONCEBYTES: crypto_box_NONCEBYTES,
  crypto_box_ZEROBYTES: crypto_box_ZEROBYTES,
  crypto_box_BOXZEROBYTES: crypto_box_BOXZEROBYTES,
  crypto_sign_BYTES: crypto_sign_BYTES,
  crypto_sign_PUBLICKEYBYTES: crypto_sign_PUBLICKEYBYTES,
  crypto_sign_SECRETKEYBYTES: crypto_sign_SECRETKEYBYTES,
  crypto_sign_SEEDBYTES: crypto_sign_SEEDBYTES,
  crypto_hash_BYTES: crypto_hash_BYTES,

  gf: gf,
  D: D,
  L: L,
  pack25519: pack25519,
  unpack25519: unpack25519,
  M: M,
  A: A,
  S: S,
  Z: Z,
  pow2523: pow2523,
  add: add,
  set25519: set25519,
  modL: modL,
  scalarmult: scalarmult,
  scalarbase: scalarbase,
};

/* High-level API */

function checkLengths(k, n) {
  if (k.length !== crypto_secretbox_KEYBYTES) throw new Error('bad key size');
  if (n.length !== crypto_secretbox_NONCEBYTES) throw new Error('bad nonce size');
}

function checkBoxLengths(pk, sk) {
  if (pk.length !== crypto_box_PUBLICKEYBYTES) throw new Error('bad public key size');
  if (sk.length !== crypto_box_SECRETKEYBYTES) throw new Error('bad secret key size');
}

function checkArrayTypes() {
  for (var i = 0; i < arguments.length; i++) {
    if (!(arguments[i] instanceof Uint8Array))
      throw new TypeError('unexpected type, use Uint8Array');
  }
}

function cleanup(arr) {
  for (var i = 0; i < arr.length; i++) arr[i] = 0;
}

nacl.randomBytes = function(n) {
  var b = new Uint8Array(n);
  randombytes(b, n);
  return b;
};

nacl.secretbox = function(msg, nonce, key) {
  checkArrayTypes(msg, nonce, key);
  checkLengths(key, nonce);
  var m = new Uint8Array(crypto_secretbox_ZEROBYTES + msg.length);
  var c = new Uint8Array(m.length);
  for (var i = 0; i < msg.length; i++) m[i+crypto_secretbox_ZEROBYTES] = msg[i];
  crypto_secretbox(c, m, m.length, nonce, key);
  return c.subarray(crypto_secretbox_BOXZEROBYTES);
};

nacl.secretbox.open = function(box, nonce, key) {
  checkArrayTypes(box, nonce, key);
  checkLengths(key, nonce);
  var c = new Uint8Array(crypto_secretbox_BOXZEROBYTES + box.length);
  var m = new Uint8Array(c.length);
  for (var i = 0; i < box.length; i++) c[i+crypto_secretbox_BOXZEROBYTES] = box[i];
  if (c.length < 32) return null;
  if (crypto_secretbox_open(m, c, c.length, nonce, key) !== 0) return null;
  return m.subarray(crypto_secretbox_ZEROBYTES);
};

nacl.secretbox.keyLength = crypto_secretbox_KEYBYTES;
nacl.secretbox.nonceLength = crypto_secretbox_NONCEBYTES;
nacl.secretbox.overheadLength = crypto_secretbox_BOXZEROBYTES;

nacl.scalarMult = function(n, p) {
  checkArrayTypes(n, p);
  if (n.length !== crypto_scalarmult_SCALARBYTES) throw new Error('bad n size');
  if (p.length !== crypto_scalarmult_BYTES) throw new Error('bad p size');
  var q = new Uint8Array(crypto_scalarmult_BYTES);
  crypto_scalarmult(q, n, p);
  return q;
};

nacl.scalarMult.base = function(n) {
  checkArrayTypes(n);
  if (n.length !== crypto_scalarmult_SCALARBYTES) throw new Error('bad n size');
  var q = new Uint8Array(crypto_scalarmult_BYTES);
  crypto_scalarmult_base(q, n);
  return q;
};

nacl.scalarMult.scalarLength = crypto_scalarmult_SCALARBYTES;
nacl.scalarMult.groupElementLength = crypto_scalarmult_BYTES;

nacl.box = function(msg, nonce, publicKey, secretKey) {
  var k = nacl.box.before(publicKey, secretKey);
  return nacl.secretbox(msg, nonce, k);
};

nacl.box.before = function(publicKey, secretKey) {
  checkArrayTypes(publicKey, secretKey);
  checkBoxLengths(publicKey, secretKey);
  var k = new Uint8Array(crypto_box_BEFORENMBYTES);
  crypto_box_beforenm(k, publicKey, secretKey);
  return k;
};

nacl.box.after = nacl.secretbox;

nacl.box.open = function(msg, nonce, publicKey, secretKey) {
  var k = nacl.box.before(publicKey, secretKey);
  return nacl.secretbox.open(msg, nonce, k);
};

nacl.box.open.after = nacl.secretbox.open;

nacl.box.keyPair = function() {
  var pk = new Uint8Array(crypto_box_PUBLICKEYBYTES);
  var sk = new Uint8Array(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(pk, sk);
  return {publicKey: pk, secretKey: sk};
};

nacl.box.keyPair.fromSecretKey = function(secretKey) {
  checkArrayTypes(secretKey);
  if (secretKey.length !== crypto_box_SECRETKEYBYTES)
    throw new Error('bad secret key size');
  var pk = new Uint8Array(crypto_box_PUBLICKEYBYTES);
  crypto_scalarmult_base(pk, secretKey);
  return {publicKey: pk, secretKey: new Uint8Array(secretKey)};
};

nacl.box.publicKeyLength = crypto_box_PUBLICKEYBYTES;
nacl.box.secretKeyLength = crypto_box_SECRETKEYBYTES;
nacl.box.sharedKeyLength = crypto_box_BEFORENMBYTES;
nacl.box.nonceLength = crypto_box_NONCEBYTES;
nacl.box.overheadLength = nacl.secretbox.overheadLength;

nacl.sign = function(msg, secretKey) {
  checkArrayTypes(msg, secretKey);
  if (secretKey.length !== crypto_sign_SECRETKEYBYTES)
    throw new Error('bad secret key size');
  var signedMsg = new Uint8Array(crypto_sign_BYTES+msg.length);
  crypto_sign(signedMsg, msg, msg.length, secretKey);
  return signedMsg;
};

nacl.sign.open = function(signedMsg, publicKey) {
  checkArrayTypes(signedMsg, publicKey);
  if (publicKey.length !== crypto_sign_PUBLICKEYBYTES)
    throw new Error('bad public key size');
  var tmp = new Uint8Array(signedMsg.length);
  var mlen = crypto_sign_open(tmp, signedMsg, signedMsg.length, publicKey);
  if (mlen < 0) return null;
  var m = new Uint8Array(mlen);
  for (var i = 0; i < m.length; i++) m[i] = tmp[i];
  return m;
};

nacl.sign.detached = function(msg, secretKey) {
  var signedMsg = nacl.sign(msg, secretKey);
  var sig = new Uint8Array(crypto_sign_BYTES);
  for (var i = 0; i < sig.length; i++) sig[i] = signedMsg[i];
  return sig;
};

nacl.sign.detached.verify = function(msg, sig, publicKey) {
  checkArrayTypes(msg, sig, publicKey);
  if (sig.length !== crypto_sign_BYTES)
    throw new Error('bad signature size');
  if (publicKey.length !== crypto_sign_PUBLICKEYBYTES)
    throw new Error('bad public key size');
  var sm = new Uint8Array(crypto_sign_BYTES + msg.length);
  var m = new Uint8Array(crypto_sign_BYTES + msg.length);
  var i;
  for (i = 0; i < crypto_sign_BYTES; i++) sm[i] = sig[i];
  for (i = 0; i < msg.length; i++) sm[i+crypto_sign_BYTES] = msg[i];
  return (crypto_sign_open(m, sm, sm.length, publicKey) >= 0);
};

nacl.sign.keyPair = function() {
  var pk = new Uint8Array(crypto_sign_PUBLICKEYBYTES);
  var sk = new Uint8Array(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(pk, sk);
  return {publicKey: pk, secretKey: sk};
};

nacl.sign.keyPair.fromSecretKey = function(secretKey) {
  checkArrayTypes(secretKey);
  if (secretKey.length !== crypto_sign_SECRETKEYBYTES)
    throw new Error('bad secret key size');
  var pk = new Uint8Array(crypto_sign_PUBLICKEYBYTES);
  for (var i = 0; i < pk.length; i++) pk[i] = secretKey[32+i];
  return {publicKey: pk, secretKey: new Uint8Array(secretKey)};
};

nacl.sign.keyPair.fromSeed = function(seed) {
  checkArrayTypes(seed);
  if (seed.length !== crypto_sign_SEEDBYTES)
    throw new Error('bad seed size');
  var pk = new Uint8Array(crypto_sign_PUBLICKEYBYTES);
  var sk = new Uint8Array(crypto_sign_SECRETKEYBYTES);
  for (var i = 0; i < 32; i++) sk[i] = seed[i];
  crypto_sign_keypair(pk, sk, true);
  return {publicKey: pk, secretKey: sk};
};

nacl.sign.publicKeyLength = crypto_sign_PUBLICKEYBYTES;
nacl.sign.secretKeyLength = crypto_sign_SECRETKEYBYTES;
nacl.sign.seedLength = crypto_sign_SEEDBYTES;
nacl.sign.signatureLength = crypto_sign_BYTES;

nacl.hash = function(msg) {
  checkArrayTypes(msg);
  var h = new Uint8Array(crypto_hash_BYTES);
  crypto_hash(h, msg, msg.length);
  return h;
};

nacl.hash.hashLength = crypto_hash_BYTES;

nacl.verify = function(x, y) {
  checkArrayTypes(x, y);
  // Zero length arguments are considered not equal.
  if (x.length === 0 || y.length === 0) return false;
  if (x.length !== y.length) return false;
  return (vn(x, 0, y, 0, x.length) === 0) ? true : false;
};

nacl.setPRNG = function(fn) {
  randombytes = fn;
};

(function() {
  // Initialize PRNG if environment provides CSPRNG.
  // If not, methods calling randombytes will throw.
  var crypto = typeof self !== 'undefined' ? (self.crypto || self.msCrypto) : null;
  if (crypto && crypto.getRandomValues) {
    // Browsers.
    var QUOTA = 65536;
    nacl.setPRNG(function(x, n) {
      var i, v = new Uint8Array(n);
      for (i = 0; i < n; i += QUOTA) {
        crypto.getRandomValues(v.subarray(i, i + Math.min(n - i, QUOTA)));
      }
      for (i = 0; i < n; i++) x[i] = v[i];
      cleanup(v);
    });
  } else if (true) {
    // Node.js.
    crypto = __nccwpck_require__(6982);
    if (crypto && crypto.randomBytes) {
      nacl.setPRNG(function(x, n) {
        var i, v = crypto.randomBytes(n);
        for (i = 0; i < n; i++) x[i] = v[i];
        cleanup(v);
      });
    }
  }
})();

})( true && module.exports ? module.exports : (self.nacl = self.nacl || {}));


/***/ }),

/***/ 181:
/***/ ((module) => {

"use strict";
module.exports = require("buffer");

/***/ }),

/***/ 6982:
/***/ ((module) => {

"use strict";
module.exports = require("crypto");

/***/ }),

/***/ 932:
/***/ ((module) => {

"use strict";
module.exports = require("process");

/***/ }),

/***/ 9023:
/***/ ((module) => {

"use strict";
module.exports = require("util");

/***/ }),

/***/ 7349:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveBlockMap = __nccwpck_require__(7103);
var resolveBlockSeq = __nccwpck_require__(334);
var resolveFlowCollection = __nccwpck_require__(3142);

function resolveCollection(CN, ctx, token, onError, tagName, tag) {
    const coll = token.type === 'block-map'
        ? resolveBlockMap.resolveBlockMap(CN, ctx, token, onError, tag)
        : token.type === 'block-seq'
            ? resolveBlockSeq.resolveBlockSeq(CN, ctx, token, onError, tag)
            : resolveFlowCollection.resolveFlowCollection(CN, ctx, token, onError, tag);
    const Coll = coll.constructor;
    // If we got a tagName matching the class, or the tag name is '!',
    // then use the tagName from the node class used to create it.
    if (tagName === '!' || tagName === Coll.tagName) {
        coll.tag = Coll.tagName;
        return coll;
    }
    if (tagName)
        coll.tag = tagName;
    return coll;
}
function composeCollection(CN, ctx, token, props, onError) {
    const tagToken = props.tag;
    const tagName = !tagToken
        ? null
        : ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg));
    if (token.type === 'block-seq') {
        const { anchor, newlineAfterProp: nl } = props;
        const lastProp = anchor && tagToken
            ? anchor.offset > tagToken.offset
                ? anchor
                : tagToken
            : (anchor ?? tagToken);
        if (lastProp && (!nl || nl.offset < lastProp.offset)) {
            const message = 'Missing newline after block sequence props';
            onError(lastProp, 'MISSING_CHAR', message);
        }
    }
    const expType = token.type === 'block-map'
        ? 'map'
        : token.type === 'block-seq'
            ? 'seq'
            : token.start.source === '{'
                ? 'map'
                : 'seq';
    // shortcut: check if it's a generic YAMLMap or YAMLSeq
    // before jumping into the custom tag logic.
    if (!tagToken ||
        !tagName ||
        tagName === '!' ||
        (tagName === YAMLMap.YAMLMap.tagName && expType === 'map') ||
        (tagName === YAMLSeq.YAMLSeq.tagName && expType === 'seq')) {
        return resolveCollection(CN, ctx, token, onError, tagName);
    }
    let tag = ctx.schema.tags.find(t => t.tag === tagName && t.collection === expType);
    if (!tag) {
        const kt = ctx.schema.knownTags[tagName];
        if (kt?.collection === expType) {
            ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
            tag = kt;
        }
        else {
            if (kt) {
                onError(tagToken, 'BAD_COLLECTION_TYPE', `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? 'scalar'}`, true);
            }
            else {
                onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, true);
            }
            return resolveCollection(CN, ctx, token, onError, tagName);
        }
    }
    const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
    const res = tag.resolve?.(coll, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg), ctx.options) ?? coll;
    const node = identity.isNode(res)
        ? res
        : new Scalar.Scalar(res);
    node.range = coll.range;
    node.tag = tagName;
    if (tag?.format)
        node.format = tag.format;
    return node;
}

exports.composeCollection = composeCollection;


/***/ }),

/***/ 3683:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Document = __nccwpck_require__(3021);
var composeNode = __nccwpck_require__(5937);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);

function composeDoc(options, directives, { offset, start, value, end }, onError) {
    const opts = Object.assign({ _directives: directives }, options);
    const doc = new Document.Document(undefined, opts);
    const ctx = {
        atKey: false,
        atRoot: true,
        directives: doc.directives,
        options: doc.options,
        schema: doc.schema
    };
    const props = resolveProps.resolveProps(start, {
        indicator: 'doc-start',
        next: value ?? end?.[0],
        offset,
        onError,
        parentIndent: 0,
        startOnNewline: true
    });
    if (props.found) {
        doc.directives.docStart = true;
        if (value &&
            (value.type === 'block-map' || value.type === 'block-seq') &&
            !props.hasNewline)
            onError(props.end, 'MISSING_CHAR', 'Block collection cannot start on same line with directives-end marker');
    }
    // @ts-expect-error If Contents is set, let's trust the user
    doc.contents = value
        ? composeNode.composeNode(ctx, value, props, onError)
        : composeNode.composeEmptyNode(ctx, props.end, start, null, props, onError);
    const contentEnd = doc.contents.range[2];
    const re = resolveEnd.resolveEnd(end, contentEnd, false, onError);
    if (re.comment)
        doc.comment = re.comment;
    doc.range = [offset, contentEnd, re.offset];
    return doc;
}

exports.composeDoc = composeDoc;


/***/ }),

/***/ 5937:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var composeCollection = __nccwpck_require__(7349);
var composeScalar = __nccwpck_require__(5413);
var resolveEnd = __nccwpck_require__(7788);
var utilEmptyScalarPosition = __nccwpck_require__(2599);

const CN = { composeNode, composeEmptyNode };
function composeNode(ctx, token, props, onError) {
    const atKey = ctx.atKey;
    const { spaceBefore, comment, anchor, tag } = props;
    let node;
    let isSrcToken = true;
    switch (token.type) {
        case 'alias':
            node = composeAlias(ctx, token, onError);
            if (anchor || tag)
                onError(token, 'ALIAS_PROPS', 'An alias node must not specify any properties');
            break;
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'block-scalar':
            node = composeScalar.composeScalar(ctx, token, tag, onError);
            if (anchor)
                node.anchor = anchor.source.substring(1);
            break;
        case 'block-map':
        case 'block-seq':
        case 'flow-collection':
            try {
                node = composeCollection.composeCollection(CN, ctx, token, props, onError);
                if (anchor)
                    node.anchor = anchor.source.substring(1);
            }
            catch (error) {
                // Almost certainly here due to a stack overflow
                const message = error instanceof Error ? error.message : String(error);
                onError(token, 'RESOURCE_EXHAUSTION', message);
            }
            break;
        default: {
            const message = token.type === 'error'
                ? token.message
                : `Unsupported token (type: ${token.type})`;
            onError(token, 'UNEXPECTED_TOKEN', message);
            isSrcToken = false;
        }
    }
    node ?? (node = composeEmptyNode(ctx, token.offset, undefined, null, props, onError));
    if (anchor && node.anchor === '')
        onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    if (atKey &&
        ctx.options.stringKeys &&
        (!identity.isScalar(node) ||
            typeof node.value !== 'string' ||
            (node.tag && node.tag !== 'tag:yaml.org,2002:str'))) {
        const msg = 'With stringKeys, all keys must be strings';
        onError(tag ?? token, 'NON_STRING_KEY', msg);
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        if (token.type === 'scalar' && token.source === '')
            node.comment = comment;
        else
            node.commentBefore = comment;
    }
    // @ts-expect-error Type checking misses meaning of isSrcToken
    if (ctx.options.keepSourceTokens && isSrcToken)
        node.srcToken = token;
    return node;
}
function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
    const token = {
        type: 'scalar',
        offset: utilEmptyScalarPosition.emptyScalarPosition(offset, before, pos),
        indent: -1,
        source: ''
    };
    const node = composeScalar.composeScalar(ctx, token, tag, onError);
    if (anchor) {
        node.anchor = anchor.source.substring(1);
        if (node.anchor === '')
            onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        node.comment = comment;
        node.range[2] = end;
    }
    return node;
}
function composeAlias({ options }, { offset, source, end }, onError) {
    const alias = new Alias.Alias(source.substring(1));
    if (alias.source === '')
        onError(offset, 'BAD_ALIAS', 'Alias cannot be an empty string');
    if (alias.source.endsWith(':'))
        onError(offset + source.length - 1, 'BAD_ALIAS', 'Alias ending in : is ambiguous', true);
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, options.strict, onError);
    alias.range = [offset, valueEnd, re.offset];
    if (re.comment)
        alias.comment = re.comment;
    return alias;
}

exports.composeEmptyNode = composeEmptyNode;
exports.composeNode = composeNode;


/***/ }),

/***/ 5413:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);

function composeScalar(ctx, token, tagToken, onError) {
    const { value, type, comment, range } = token.type === 'block-scalar'
        ? resolveBlockScalar.resolveBlockScalar(ctx, token, onError)
        : resolveFlowScalar.resolveFlowScalar(token, ctx.options.strict, onError);
    const tagName = tagToken
        ? ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg))
        : null;
    let tag;
    if (ctx.options.stringKeys && ctx.atKey) {
        tag = ctx.schema[identity.SCALAR];
    }
    else if (tagName)
        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
    else if (token.type === 'scalar')
        tag = findScalarTagByTest(ctx, value, token, onError);
    else
        tag = ctx.schema[identity.SCALAR];
    let scalar;
    try {
        const res = tag.resolve(value, msg => onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg), ctx.options);
        scalar = identity.isScalar(res) ? res : new Scalar.Scalar(res);
    }
    catch (error) {
        const msg = error instanceof Error ? error.message : String(error);
        onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg);
        scalar = new Scalar.Scalar(value);
    }
    scalar.range = range;
    scalar.source = value;
    if (type)
        scalar.type = type;
    if (tagName)
        scalar.tag = tagName;
    if (tag.format)
        scalar.format = tag.format;
    if (comment)
        scalar.comment = comment;
    return scalar;
}
function findScalarTagByName(schema, value, tagName, tagToken, onError) {
    if (tagName === '!')
        return schema[identity.SCALAR]; // non-specific tag
    const matchWithTest = [];
    for (const tag of schema.tags) {
        if (!tag.collection && tag.tag === tagName) {
            if (tag.default && tag.test)
                matchWithTest.push(tag);
            else
                return tag;
        }
    }
    for (const tag of matchWithTest)
        if (tag.test?.test(value))
            return tag;
    const kt = schema.knownTags[tagName];
    if (kt && !kt.collection) {
        // Ensure that the known tag is available for stringifying,
        // but does not get used by default.
        schema.tags.push(Object.assign({}, kt, { default: false, test: undefined }));
        return kt;
    }
    onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, tagName !== 'tag:yaml.org,2002:str');
    return schema[identity.SCALAR];
}
function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
    const tag = schema.tags.find(tag => (tag.default === true || (atKey && tag.default === 'key')) &&
        tag.test?.test(value)) || schema[identity.SCALAR];
    if (schema.compat) {
        const compat = schema.compat.find(tag => tag.default && tag.test?.test(value)) ??
            schema[identity.SCALAR];
        if (tag.tag !== compat.tag) {
            const ts = directives.tagString(tag.tag);
            const cs = directives.tagString(compat.tag);
            const msg = `Value may be parsed as either ${ts} or ${cs}`;
            onError(token, 'TAG_RESOLVE_FAILED', msg, true);
        }
    }
    return tag;
}

exports.composeScalar = composeScalar;


/***/ }),

/***/ 9984:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var node_process = __nccwpck_require__(932);
var directives = __nccwpck_require__(1342);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var identity = __nccwpck_require__(1127);
var composeDoc = __nccwpck_require__(3683);
var resolveEnd = __nccwpck_require__(7788);

function getErrorPos(src) {
    if (typeof src === 'number')
        return [src, src + 1];
    if (Array.isArray(src))
        return src.length === 2 ? src : [src[0], src[1]];
    const { offset, source } = src;
    return [offset, offset + (typeof source === 'string' ? source.length : 1)];
}
function parsePrelude(prelude) {
    let comment = '';
    let atComment = false;
    let afterEmptyLine = false;
    for (let i = 0; i < prelude.length; ++i) {
        const source = prelude[i];
        switch (source[0]) {
            case '#':
                comment +=
                    (comment === '' ? '' : afterEmptyLine ? '\n\n' : '\n') +
                        (source.substring(1) || ' ');
                atComment = true;
                afterEmptyLine = false;
                break;
            case '%':
                if (prelude[i + 1]?.[0] !== '#')
                    i += 1;
                atComment = false;
                break;
            default:
                // This may be wrong after doc-end, but in that case it doesn't matter
                if (!atComment)
                    afterEmptyLine = true;
                atComment = false;
        }
    }
    return { comment, afterEmptyLine };
}
/**
 * Compose a stream of CST nodes into a stream of YAML Documents.
 *
 * ```ts
 * import { Composer, Parser } from 'yaml'
 *
 * const src: string = ...
 * const tokens = new Parser().parse(src)
 * const docs = new Composer().compose(tokens)
 * ```
 */
class Composer {
    constructor(options = {}) {
        this.doc = null;
        this.atDirectives = false;
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
        this.onError = (source, code, message, warning) => {
            const pos = getErrorPos(source);
            if (warning)
                this.warnings.push(new errors.YAMLWarning(pos, code, message));
            else
                this.errors.push(new errors.YAMLParseError(pos, code, message));
        };
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        this.directives = new directives.Directives({ version: options.version || '1.2' });
        this.options = options;
    }
    decorate(doc, afterDoc) {
        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
        //console.log({ dc: doc.comment, prelude, comment })
        if (comment) {
            const dc = doc.contents;
            if (afterDoc) {
                doc.comment = doc.comment ? `${doc.comment}\n${comment}` : comment;
            }
            else if (afterEmptyLine || doc.directives.docStart || !dc) {
                doc.commentBefore = comment;
            }
            else if (identity.isCollection(dc) && !dc.flow && dc.items.length > 0) {
                let it = dc.items[0];
                if (identity.isPair(it))
                    it = it.key;
                const cb = it.commentBefore;
                it.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
            else {
                const cb = dc.commentBefore;
                dc.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
        }
        if (afterDoc) {
            for (let i = 0; i < this.errors.length; ++i)
                doc.errors.push(this.errors[i]);
            for (let i = 0; i < this.warnings.length; ++i)
                doc.warnings.push(this.warnings[i]);
        }
        else {
            doc.errors = this.errors;
            doc.warnings = this.warnings;
        }
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
    }
    /**
     * Current stream status information.
     *
     * Mostly useful at the end of input for an empty stream.
     */
    streamInfo() {
        return {
            comment: parsePrelude(this.prelude).comment,
            directives: this.directives,
            errors: this.errors,
            warnings: this.warnings
        };
    }
    /**
     * Compose tokens into documents.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *compose(tokens, forceDoc = false, endOffset = -1) {
        for (const token of tokens)
            yield* this.next(token);
        yield* this.end(forceDoc, endOffset);
    }
    /** Advance the composer by one CST token. */
    *next(token) {
        if (node_process.env.LOG_STREAM)
            console.dir(token, { depth: null });
        switch (token.type) {
            case 'directive':
                this.directives.add(token.source, (offset, message, warning) => {
                    const pos = getErrorPos(token);
                    pos[0] += offset;
                    this.onError(pos, 'BAD_DIRECTIVE', message, warning);
                });
                this.prelude.push(token.source);
                this.atDirectives = true;
                break;
            case 'document': {
                const doc = composeDoc.composeDoc(this.options, this.directives, token, this.onError);
                if (this.atDirectives && !doc.directives.docStart)
                    this.onError(token, 'MISSING_CHAR', 'Missing directives-end/doc-start indicator line');
                this.decorate(doc, false);
                if (this.doc)
                    yield this.doc;
                this.doc = doc;
                this.atDirectives = false;
                break;
            }
            case 'byte-order-mark':
            case 'space':
                break;
            case 'comment':
            case 'newline':
                this.prelude.push(token.source);
                break;
            case 'error': {
                const msg = token.source
                    ? `${token.message}: ${JSON.stringify(token.source)}`
                    : token.message;
                const error = new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg);
                if (this.atDirectives || !this.doc)
                    this.errors.push(error);
                else
                    this.doc.errors.push(error);
                break;
            }
            case 'doc-end': {
                if (!this.doc) {
                    const msg = 'Unexpected doc-end without preceding document';
                    this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg));
                    break;
                }
                this.doc.directives.docEnd = true;
                const end = resolveEnd.resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
                this.decorate(this.doc, true);
                if (end.comment) {
                    const dc = this.doc.comment;
                    this.doc.comment = dc ? `${dc}\n${end.comment}` : end.comment;
                }
                this.doc.range[2] = end.offset;
                break;
            }
            default:
                this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', `Unsupported token ${token.type}`));
        }
    }
    /**
     * Call at end of input to yield any remaining document.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *end(forceDoc = false, endOffset = -1) {
        if (this.doc) {
            this.decorate(this.doc, true);
            yield this.doc;
            this.doc = null;
        }
        else if (forceDoc) {
            const opts = Object.assign({ _directives: this.directives }, this.options);
            const doc = new Document.Document(undefined, opts);
            if (this.atDirectives)
                this.onError(endOffset, 'MISSING_CHAR', 'Missing directives-end indicator line');
            doc.range = [0, endOffset, endOffset];
            this.decorate(doc, false);
            yield doc;
        }
    }
}

exports.Composer = Composer;


/***/ }),

/***/ 7103:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilFlowIndentCheck = __nccwpck_require__(4051);
var utilMapIncludes = __nccwpck_require__(1187);

const startColMsg = 'All mapping items must start at the same column';
function resolveBlockMap({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLMap.YAMLMap;
    const map = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    let offset = bm.offset;
    let commentEnd = null;
    for (const collItem of bm.items) {
        const { start, key, sep, value } = collItem;
        // key properties
        const keyProps = resolveProps.resolveProps(start, {
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: bm.indent,
            startOnNewline: true
        });
        const implicitKey = !keyProps.found;
        if (implicitKey) {
            if (key) {
                if (key.type === 'block-seq')
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
                else if ('indent' in key && key.indent !== bm.indent)
                    onError(offset, 'BAD_INDENT', startColMsg);
            }
            if (!keyProps.anchor && !keyProps.tag && !sep) {
                commentEnd = keyProps.end;
                if (keyProps.comment) {
                    if (map.comment)
                        map.comment += '\n' + keyProps.comment;
                    else
                        map.comment = keyProps.comment;
                }
                continue;
            }
            if (keyProps.newlineAfterProp || utilContainsNewline.containsNewline(key)) {
                onError(key ?? start[start.length - 1], 'MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line');
            }
        }
        else if (keyProps.found?.indent !== bm.indent) {
            onError(offset, 'BAD_INDENT', startColMsg);
        }
        // key value
        ctx.atKey = true;
        const keyStart = keyProps.end;
        const keyNode = key
            ? composeNode(ctx, key, keyProps, onError)
            : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bm.indent, key, onError);
        ctx.atKey = false;
        if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
            onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
        // value properties
        const valueProps = resolveProps.resolveProps(sep ?? [], {
            indicator: 'map-value-ind',
            next: value,
            offset: keyNode.range[2],
            onError,
            parentIndent: bm.indent,
            startOnNewline: !key || key.type === 'block-scalar'
        });
        offset = valueProps.end;
        if (valueProps.found) {
            if (implicitKey) {
                if (value?.type === 'block-map' && !valueProps.hasNewline)
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
                if (ctx.options.strict &&
                    keyProps.start < valueProps.found.offset - 1024)
                    onError(keyNode.range, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit block mapping key');
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
            if (ctx.schema.compat)
                utilFlowIndentCheck.flowIndentCheck(bm.indent, value, onError);
            offset = valueNode.range[2];
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
        else {
            // key with no value
            if (implicitKey)
                onError(keyNode.range, 'MISSING_CHAR', 'Implicit map keys need to be followed by map values');
            if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
    }
    if (commentEnd && commentEnd < offset)
        onError(commentEnd, 'IMPOSSIBLE', 'Map comment with trailing content');
    map.range = [bm.offset, offset, commentEnd ?? offset];
    return map;
}

exports.resolveBlockMap = resolveBlockMap;


/***/ }),

/***/ 8913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);

function resolveBlockScalar(ctx, scalar, onError) {
    const start = scalar.offset;
    const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
    if (!header)
        return { value: '', type: null, comment: '', range: [start, start, start] };
    const type = header.mode === '>' ? Scalar.Scalar.BLOCK_FOLDED : Scalar.Scalar.BLOCK_LITERAL;
    const lines = scalar.source ? splitLines(scalar.source) : [];
    // determine the end of content & start of chomping
    let chompStart = lines.length;
    for (let i = lines.length - 1; i >= 0; --i) {
        const content = lines[i][1];
        if (content === '' || content === '\r')
            chompStart = i;
        else
            break;
    }
    // shortcut for empty contents
    if (chompStart === 0) {
        const value = header.chomp === '+' && lines.length > 0
            ? '\n'.repeat(Math.max(1, lines.length - 1))
            : '';
        let end = start + header.length;
        if (scalar.source)
            end += scalar.source.length;
        return { value, type, comment: header.comment, range: [start, end, end] };
    }
    // find the indentation level to trim from start
    let trimIndent = scalar.indent + header.indent;
    let offset = scalar.offset + header.length;
    let contentStart = 0;
    for (let i = 0; i < chompStart; ++i) {
        const [indent, content] = lines[i];
        if (content === '' || content === '\r') {
            if (header.indent === 0 && indent.length > trimIndent)
                trimIndent = indent.length;
        }
        else {
            if (indent.length < trimIndent) {
                const message = 'Block scalars with more-indented leading empty lines must use an explicit indentation indicator';
                onError(offset + indent.length, 'MISSING_CHAR', message);
            }
            if (header.indent === 0)
                trimIndent = indent.length;
            contentStart = i;
            if (trimIndent === 0 && !ctx.atRoot) {
                const message = 'Block scalar values in collections must be indented';
                onError(offset, 'BAD_INDENT', message);
            }
            break;
        }
        offset += indent.length + content.length + 1;
    }
    // include trailing more-indented empty lines in content
    for (let i = lines.length - 1; i >= chompStart; --i) {
        if (lines[i][0].length > trimIndent)
            chompStart = i + 1;
    }
    let value = '';
    let sep = '';
    let prevMoreIndented = false;
    // leading whitespace is kept intact
    for (let i = 0; i < contentStart; ++i)
        value += lines[i][0].slice(trimIndent) + '\n';
    for (let i = contentStart; i < chompStart; ++i) {
        let [indent, content] = lines[i];
        offset += indent.length + content.length + 1;
        const crlf = content[content.length - 1] === '\r';
        if (crlf)
            content = content.slice(0, -1);
        /* istanbul ignore if already caught in lexer */
        if (content && indent.length < trimIndent) {
            const src = header.indent
                ? 'explicit indentation indicator'
                : 'first line';
            const message = `Block scalar lines must not be less indented than their ${src}`;
            onError(offset - content.length - (crlf ? 2 : 1), 'BAD_INDENT', message);
            indent = '';
        }
        if (type === Scalar.Scalar.BLOCK_LITERAL) {
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
        }
        else if (indent.length > trimIndent || content[0] === '\t') {
            // more-indented content within a folded block
            if (sep === ' ')
                sep = '\n';
            else if (!prevMoreIndented && sep === '\n')
                sep = '\n\n';
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
            prevMoreIndented = true;
        }
        else if (content === '') {
            // empty line
            if (sep === '\n')
                value += '\n';
            else
                sep = '\n';
        }
        else {
            value += sep + content;
            sep = ' ';
            prevMoreIndented = false;
        }
    }
    switch (header.chomp) {
        case '-':
            break;
        case '+':
            for (let i = chompStart; i < lines.length; ++i)
                value += '\n' + lines[i][0].slice(trimIndent);
            if (value[value.length - 1] !== '\n')
                value += '\n';
            break;
        default:
            value += '\n';
    }
    const end = start + header.length + scalar.source.length;
    return { value, type, comment: header.comment, range: [start, end, end] };
}
function parseBlockScalarHeader({ offset, props }, strict, onError) {
    /* istanbul ignore if should not happen */
    if (props[0].type !== 'block-scalar-header') {
        onError(props[0], 'IMPOSSIBLE', 'Block scalar header not found');
        return null;
    }
    const { source } = props[0];
    const mode = source[0];
    let indent = 0;
    let chomp = '';
    let error = -1;
    for (let i = 1; i < source.length; ++i) {
        const ch = source[i];
        if (!chomp && (ch === '-' || ch === '+'))
            chomp = ch;
        else {
            const n = Number(ch);
            if (!indent && n)
                indent = n;
            else if (error === -1)
                error = offset + i;
        }
    }
    if (error !== -1)
        onError(error, 'UNEXPECTED_TOKEN', `Block scalar header includes extra characters: ${source}`);
    let hasSpace = false;
    let comment = '';
    let length = source.length;
    for (let i = 1; i < props.length; ++i) {
        const token = props[i];
        switch (token.type) {
            case 'space':
                hasSpace = true;
            // fallthrough
            case 'newline':
                length += token.source.length;
                break;
            case 'comment':
                if (strict && !hasSpace) {
                    const message = 'Comments must be separated from other tokens by white space characters';
                    onError(token, 'MISSING_CHAR', message);
                }
                length += token.source.length;
                comment = token.source.substring(1);
                break;
            case 'error':
                onError(token, 'UNEXPECTED_TOKEN', token.message);
                length += token.source.length;
                break;
            /* istanbul ignore next should not happen */
            default: {
                const message = `Unexpected token in block scalar header: ${token.type}`;
                onError(token, 'UNEXPECTED_TOKEN', message);
                const ts = token.source;
                if (ts && typeof ts === 'string')
                    length += ts.length;
            }
        }
    }
    return { mode, indent, chomp, comment, length };
}
/** @returns Array of lines split up as `[indent, content]` */
function splitLines(source) {
    const split = source.split(/\n( *)/);
    const first = split[0];
    const m = first.match(/^( *)/);
    const line0 = m?.[1]
        ? [m[1], first.slice(m[1].length)]
        : ['', first];
    const lines = [line0];
    for (let i = 1; i < split.length; i += 2)
        lines.push([split[i], split[i + 1]]);
    return lines;
}

exports.resolveBlockScalar = resolveBlockScalar;


/***/ }),

/***/ 334:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var YAMLSeq = __nccwpck_require__(2223);
var resolveProps = __nccwpck_require__(4631);
var utilFlowIndentCheck = __nccwpck_require__(4051);

function resolveBlockSeq({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLSeq.YAMLSeq;
    const seq = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = bs.offset;
    let commentEnd = null;
    for (const { start, value } of bs.items) {
        const props = resolveProps.resolveProps(start, {
            indicator: 'seq-item-ind',
            next: value,
            offset,
            onError,
            parentIndent: bs.indent,
            startOnNewline: true
        });
        if (!props.found) {
            if (props.anchor || props.tag || value) {
                if (value?.type === 'block-seq')
                    onError(props.end, 'BAD_INDENT', 'All sequence items must start at the same column');
                else
                    onError(offset, 'MISSING_CHAR', 'Sequence item without - indicator');
            }
            else {
                commentEnd = props.end;
                if (props.comment)
                    seq.comment = props.comment;
                continue;
            }
        }
        const node = value
            ? composeNode(ctx, value, props, onError)
            : composeEmptyNode(ctx, props.end, start, null, props, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bs.indent, value, onError);
        offset = node.range[2];
        seq.items.push(node);
    }
    seq.range = [bs.offset, offset, commentEnd ?? offset];
    return seq;
}

exports.resolveBlockSeq = resolveBlockSeq;


/***/ }),

/***/ 7788:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


function resolveEnd(end, offset, reqSpace, onError) {
    let comment = '';
    if (end) {
        let hasSpace = false;
        let sep = '';
        for (const token of end) {
            const { source, type } = token;
            switch (type) {
                case 'space':
                    hasSpace = true;
                    break;
                case 'comment': {
                    if (reqSpace && !hasSpace)
                        onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                    const cb = source.substring(1) || ' ';
                    if (!comment)
                        comment = cb;
                    else
                        comment += sep + cb;
                    sep = '';
                    break;
                }
                case 'newline':
                    if (comment)
                        sep += source;
                    hasSpace = true;
                    break;
                default:
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${type} at node end`);
            }
            offset += source.length;
        }
    }
    return { comment, offset };
}

exports.resolveEnd = resolveEnd;


/***/ }),

/***/ 3142:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilMapIncludes = __nccwpck_require__(1187);

const blockMsg = 'Block collections are not allowed within flow collections';
const isBlock = (token) => token && (token.type === 'block-map' || token.type === 'block-seq');
function resolveFlowCollection({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
    const isMap = fc.start.source === '{';
    const fcName = isMap ? 'flow map' : 'flow sequence';
    const NodeClass = (tag?.nodeClass ?? (isMap ? YAMLMap.YAMLMap : YAMLSeq.YAMLSeq));
    const coll = new NodeClass(ctx.schema);
    coll.flow = true;
    const atRoot = ctx.atRoot;
    if (atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = fc.offset + fc.start.source.length;
    for (let i = 0; i < fc.items.length; ++i) {
        const collItem = fc.items[i];
        const { start, key, sep, value } = collItem;
        const props = resolveProps.resolveProps(start, {
            flow: fcName,
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: fc.indent,
            startOnNewline: false
        });
        if (!props.found) {
            if (!props.anchor && !props.tag && !sep && !value) {
                if (i === 0 && props.comma)
                    onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
                else if (i < fc.items.length - 1)
                    onError(props.start, 'UNEXPECTED_TOKEN', `Unexpected empty item in ${fcName}`);
                if (props.comment) {
                    if (coll.comment)
                        coll.comment += '\n' + props.comment;
                    else
                        coll.comment = props.comment;
                }
                offset = props.end;
                continue;
            }
            if (!isMap && ctx.options.strict && utilContainsNewline.containsNewline(key))
                onError(key, // checked by containsNewline()
                'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
        }
        if (i === 0) {
            if (props.comma)
                onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
        }
        else {
            if (!props.comma)
                onError(props.start, 'MISSING_CHAR', `Missing , between ${fcName} items`);
            if (props.comment) {
                let prevItemComment = '';
                loop: for (const st of start) {
                    switch (st.type) {
                        case 'comma':
                        case 'space':
                            break;
                        case 'comment':
                            prevItemComment = st.source.substring(1);
                            break loop;
                        default:
                            break loop;
                    }
                }
                if (prevItemComment) {
                    let prev = coll.items[coll.items.length - 1];
                    if (identity.isPair(prev))
                        prev = prev.value ?? prev.key;
                    if (prev.comment)
                        prev.comment += '\n' + prevItemComment;
                    else
                        prev.comment = prevItemComment;
                    props.comment = props.comment.substring(prevItemComment.length + 1);
                }
            }
        }
        if (!isMap && !sep && !props.found) {
            // item is a value in a seq
            // → key & sep are empty, start does not include ? or :
            const valueNode = value
                ? composeNode(ctx, value, props, onError)
                : composeEmptyNode(ctx, props.end, sep, null, props, onError);
            coll.items.push(valueNode);
            offset = valueNode.range[2];
            if (isBlock(value))
                onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
        }
        else {
            // item is a key+value pair
            // key value
            ctx.atKey = true;
            const keyStart = props.end;
            const keyNode = key
                ? composeNode(ctx, key, props, onError)
                : composeEmptyNode(ctx, keyStart, start, null, props, onError);
            if (isBlock(key))
                onError(keyNode.range, 'BLOCK_IN_FLOW', blockMsg);
            ctx.atKey = false;
            // value properties
            const valueProps = resolveProps.resolveProps(sep ?? [], {
                flow: fcName,
                indicator: 'map-value-ind',
                next: value,
                offset: keyNode.range[2],
                onError,
                parentIndent: fc.indent,
                startOnNewline: false
            });
            if (valueProps.found) {
                if (!isMap && !props.found && ctx.options.strict) {
                    if (sep)
                        for (const st of sep) {
                            if (st === valueProps.found)
                                break;
                            if (st.type === 'newline') {
                                onError(st, 'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
                                break;
                            }
                        }
                    if (props.start < valueProps.found.offset - 1024)
                        onError(valueProps.found, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit flow sequence key');
                }
            }
            else if (value) {
                if ('source' in value && value.source?.[0] === ':')
                    onError(value, 'MISSING_CHAR', `Missing space after : in ${fcName}`);
                else
                    onError(valueProps.start, 'MISSING_CHAR', `Missing , or : between ${fcName} items`);
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : valueProps.found
                    ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError)
                    : null;
            if (valueNode) {
                if (isBlock(value))
                    onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
            }
            else if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            if (isMap) {
                const map = coll;
                if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
                    onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
                map.items.push(pair);
            }
            else {
                const map = new YAMLMap.YAMLMap(ctx.schema);
                map.flow = true;
                map.items.push(pair);
                const endRange = (valueNode ?? keyNode).range;
                map.range = [keyNode.range[0], endRange[1], endRange[2]];
                coll.items.push(map);
            }
            offset = valueNode ? valueNode.range[2] : valueProps.end;
        }
    }
    const expectedEnd = isMap ? '}' : ']';
    const [ce, ...ee] = fc.end;
    let cePos = offset;
    if (ce?.source === expectedEnd)
        cePos = ce.offset + ce.source.length;
    else {
        const name = fcName[0].toUpperCase() + fcName.substring(1);
        const msg = atRoot
            ? `${name} must end with a ${expectedEnd}`
            : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
        onError(offset, atRoot ? 'MISSING_CHAR' : 'BAD_INDENT', msg);
        if (ce && ce.source.length !== 1)
            ee.unshift(ce);
    }
    if (ee.length > 0) {
        const end = resolveEnd.resolveEnd(ee, cePos, ctx.options.strict, onError);
        if (end.comment) {
            if (coll.comment)
                coll.comment += '\n' + end.comment;
            else
                coll.comment = end.comment;
        }
        coll.range = [fc.offset, cePos, end.offset];
    }
    else {
        coll.range = [fc.offset, cePos, cePos];
    }
    return coll;
}

exports.resolveFlowCollection = resolveFlowCollection;


/***/ }),

/***/ 6842:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);
var resolveEnd = __nccwpck_require__(7788);

function resolveFlowScalar(scalar, strict, onError) {
    const { offset, type, source, end } = scalar;
    let _type;
    let value;
    const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
    switch (type) {
        case 'scalar':
            _type = Scalar.Scalar.PLAIN;
            value = plainValue(source, _onError);
            break;
        case 'single-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_SINGLE;
            value = singleQuotedValue(source, _onError);
            break;
        case 'double-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_DOUBLE;
            value = doubleQuotedValue(source, _onError);
            break;
        /* istanbul ignore next should not happen */
        default:
            onError(scalar, 'UNEXPECTED_TOKEN', `Expected a flow scalar value, but found: ${type}`);
            return {
                value: '',
                type: null,
                comment: '',
                range: [offset, offset + source.length, offset + source.length]
            };
    }
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, strict, onError);
    return {
        value,
        type: _type,
        comment: re.comment,
        range: [offset, valueEnd, re.offset]
    };
}
function plainValue(source, onError) {
    let badChar = '';
    switch (source[0]) {
        /* istanbul ignore next should not happen */
        case '\t':
            badChar = 'a tab character';
            break;
        case ',':
            badChar = 'flow indicator character ,';
            break;
        case '%':
            badChar = 'directive indicator character %';
            break;
        case '|':
        case '>': {
            badChar = `block scalar indicator ${source[0]}`;
            break;
        }
        case '@':
        case '`': {
            badChar = `reserved character ${source[0]}`;
            break;
        }
    }
    if (badChar)
        onError(0, 'BAD_SCALAR_START', `Plain value cannot start with ${badChar}`);
    return unfoldLines(source);
}
function singleQuotedValue(source, onError) {
    if (source[source.length - 1] !== "'" || source.length === 1)
        onError(source.length, 'MISSING_CHAR', "Missing closing 'quote");
    return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
}
function unfoldLines(source) {
    const line = /(.*?)\r?\n/sy;
    let match = line.exec(source);
    if (!match)
        return source;
    /**
     * The negative lookbehinds in these RegExps are to
     * prevent causing a polynomial search time in certain cases.
     *
     * The try-catch is for Safari < 16.4 and other old browsers:
     * https://caniuse.com/js-regexp-lookbehind
     */
    let trimEnd, trimBoth;
    try {
        trimEnd = new RegExp('(?<![ \t])[ \t]+$');
        trimBoth = new RegExp('^[ \t]+|(?<![ \t])[ \t]+$', 'g');
    }
    catch {
        trimEnd = /[ \t]+$/;
        trimBoth = /^[ \t]+|[ \t]+$/g;
    }
    let res = match[1].replace(trimEnd, '');
    let sep = ' ';
    let pos = line.lastIndex;
    while ((match = line.exec(source))) {
        const lm = match[1].replace(trimBoth, '');
        if (lm === '') {
            if (sep === '\n')
                res += sep;
            else
                sep = '\n';
        }
        else {
            res += sep + lm;
            sep = ' ';
        }
        pos = line.lastIndex;
    }
    const last = /[ \t]*(.*)/sy;
    last.lastIndex = pos;
    match = last.exec(source);
    return res + sep + (match?.[1] ?? '');
}
function doubleQuotedValue(source, onError) {
    let res = '';
    for (let i = 1; i < source.length - 1; ++i) {
        const ch = source[i];
        if (ch === '\r' && source[i + 1] === '\n')
            continue;
        if (ch === '\n') {
            const { fold, offset } = foldNewline(source, i);
            res += fold;
            i = offset;
        }
        else if (ch === '\\') {
            let next = source[++i];
            const cc = escapeCodes[next];
            if (cc)
                res += cc;
            else if (next === '\n') {
                // skip escaped newlines, but still trim the following line
                next = source[i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === '\r' && source[i + 1] === '\n') {
                // skip escaped CRLF newlines, but still trim the following line
                next = source[++i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === 'x' || next === 'u' || next === 'U') {
                const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
                res += parseCharCode(source, i + 1, length, onError);
                i += length;
            }
            else {
                const raw = source.substr(i - 1, 2);
                onError(i - 1, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
                res += raw;
            }
        }
        else if (ch === ' ' || ch === '\t') {
            // trim trailing whitespace
            const wsStart = i;
            let next = source[i + 1];
            while (next === ' ' || next === '\t')
                next = source[++i + 1];
            if (next !== '\n' && !(next === '\r' && source[i + 2] === '\n'))
                res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
        }
        else {
            res += ch;
        }
    }
    if (source[source.length - 1] !== '"' || source.length === 1)
        onError(source.length, 'MISSING_CHAR', 'Missing closing "quote');
    return res;
}
/**
 * Fold a single newline into a space, multiple newlines to N - 1 newlines.
 * Presumes `source[offset] === '\n'`
 */
function foldNewline(source, offset) {
    let fold = '';
    let ch = source[offset + 1];
    while (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        if (ch === '\r' && source[offset + 2] !== '\n')
            break;
        if (ch === '\n')
            fold += '\n';
        offset += 1;
        ch = source[offset + 1];
    }
    if (!fold)
        fold = ' ';
    return { fold, offset };
}
const escapeCodes = {
    '0': '\0', // null character
    a: '\x07', // bell character
    b: '\b', // backspace
    e: '\x1b', // escape character
    f: '\f', // form feed
    n: '\n', // line feed
    r: '\r', // carriage return
    t: '\t', // horizontal tab
    v: '\v', // vertical tab
    N: '\u0085', // Unicode next line
    _: '\u00a0', // Unicode non-breaking space
    L: '\u2028', // Unicode line separator
    P: '\u2029', // Unicode paragraph separator
    ' ': ' ',
    '"': '"',
    '/': '/',
    '\\': '\\',
    '\t': '\t'
};
function parseCharCode(source, offset, length, onError) {
    const cc = source.substr(offset, length);
    const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
    const code = ok ? parseInt(cc, 16) : NaN;
    try {
        return String.fromCodePoint(code);
    }
    catch {
        const raw = source.substr(offset - 2, length + 2);
        onError(offset - 2, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
        return raw;
    }
}

exports.resolveFlowScalar = resolveFlowScalar;


/***/ }),

/***/ 4631:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


function resolveProps(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
    let spaceBefore = false;
    let atNewline = startOnNewline;
    let hasSpace = startOnNewline;
    let comment = '';
    let commentSep = '';
    let hasNewline = false;
    let reqSpace = false;
    let tab = null;
    let anchor = null;
    let tag = null;
    let newlineAfterProp = null;
    let comma = null;
    let found = null;
    let start = null;
    for (const token of tokens) {
        if (reqSpace) {
            if (token.type !== 'space' &&
                token.type !== 'newline' &&
                token.type !== 'comma')
                onError(token.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
            reqSpace = false;
        }
        if (tab) {
            if (atNewline && token.type !== 'comment' && token.type !== 'newline') {
                onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
            }
            tab = null;
        }
        switch (token.type) {
            case 'space':
                // At the doc level, tabs at line start may be parsed
                // as leading white space rather than indentation.
                // In a flow collection, only the parser handles indent.
                if (!flow &&
                    (indicator !== 'doc-start' || next?.type !== 'flow-collection') &&
                    token.source.includes('\t')) {
                    tab = token;
                }
                hasSpace = true;
                break;
            case 'comment': {
                if (!hasSpace)
                    onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                const cb = token.source.substring(1) || ' ';
                if (!comment)
                    comment = cb;
                else
                    comment += commentSep + cb;
                commentSep = '';
                atNewline = false;
                break;
            }
            case 'newline':
                if (atNewline) {
                    if (comment)
                        comment += token.source;
                    else if (!found || indicator !== 'seq-item-ind')
                        spaceBefore = true;
                }
                else
                    commentSep += token.source;
                atNewline = true;
                hasNewline = true;
                if (anchor || tag)
                    newlineAfterProp = token;
                hasSpace = true;
                break;
            case 'anchor':
                if (anchor)
                    onError(token, 'MULTIPLE_ANCHORS', 'A node can have at most one anchor');
                if (token.source.endsWith(':'))
                    onError(token.offset + token.source.length - 1, 'BAD_ALIAS', 'Anchor ending in : is ambiguous', true);
                anchor = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            case 'tag': {
                if (tag)
                    onError(token, 'MULTIPLE_TAGS', 'A node can have at most one tag');
                tag = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            }
            case indicator:
                // Could here handle preceding comments differently
                if (anchor || tag)
                    onError(token, 'BAD_PROP_ORDER', `Anchors and tags must be after the ${token.source} indicator`);
                if (found)
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.source} in ${flow ?? 'collection'}`);
                found = token;
                atNewline =
                    indicator === 'seq-item-ind' || indicator === 'explicit-key-ind';
                hasSpace = false;
                break;
            case 'comma':
                if (flow) {
                    if (comma)
                        onError(token, 'UNEXPECTED_TOKEN', `Unexpected , in ${flow}`);
                    comma = token;
                    atNewline = false;
                    hasSpace = false;
                    break;
                }
            // else fallthrough
            default:
                onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.type} token`);
                atNewline = false;
                hasSpace = false;
        }
    }
    const last = tokens[tokens.length - 1];
    const end = last ? last.offset + last.source.length : offset;
    if (reqSpace &&
        next &&
        next.type !== 'space' &&
        next.type !== 'newline' &&
        next.type !== 'comma' &&
        (next.type !== 'scalar' || next.source !== '')) {
        onError(next.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
    }
    if (tab &&
        ((atNewline && tab.indent <= parentIndent) ||
            next?.type === 'block-map' ||
            next?.type === 'block-seq'))
        onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
    return {
        comma,
        found,
        spaceBefore,
        comment,
        hasNewline,
        anchor,
        tag,
        newlineAfterProp,
        end,
        start: start ?? end
    };
}

exports.resolveProps = resolveProps;


/***/ }),

/***/ 9499:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


function containsNewline(key) {
    if (!key)
        return null;
    switch (key.type) {
        case 'alias':
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            if (key.source.includes('\n'))
                return true;
            if (key.end)
                for (const st of key.end)
                    if (st.type === 'newline')
                        return true;
            return false;
        case 'flow-collection':
            for (const it of key.items) {
                for (const st of it.start)
                    if (st.type === 'newline')
                        return true;
                if (it.sep)
                    for (const st of it.sep)
                        if (st.type === 'newline')
                            return true;
                if (containsNewline(it.key) || containsNewline(it.value))
                    return true;
            }
            return false;
        default:
            return true;
    }
}

exports.containsNewline = containsNewline;


/***/ }),

/***/ 2599:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


function emptyScalarPosition(offset, before, pos) {
    if (before) {
        pos ?? (pos = before.length);
        for (let i = pos - 1; i >= 0; --i) {
            let st = before[i];
            switch (st.type) {
                case 'space':
                case 'comment':
                case 'newline':
                    offset -= st.source.length;
                    continue;
            }
            // Technically, an empty scalar is immediately after the last non-empty
            // node, but it's more useful to place it after any whitespace.
            st = before[++i];
            while (st?.type === 'space') {
                offset += st.source.length;
                st = before[++i];
            }
            break;
        }
    }
    return offset;
}

exports.emptyScalarPosition = emptyScalarPosition;


/***/ }),

/***/ 4051:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var utilContainsNewline = __nccwpck_require__(9499);

function flowIndentCheck(indent, fc, onError) {
    if (fc?.type === 'flow-collection') {
        const end = fc.end[0];
        if (end.indent === indent &&
            (end.source === ']' || end.source === '}') &&
            utilContainsNewline.containsNewline(fc)) {
            const msg = 'Flow end indicator should be more indented than parent';
            onError(end, 'BAD_INDENT', msg, true);
        }
    }
}

exports.flowIndentCheck = flowIndentCheck;


/***/ }),

/***/ 1187:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);

function mapIncludes(ctx, items, search) {
    const { uniqueKeys } = ctx.options;
    if (uniqueKeys === false)
        return false;
    const isEqual = typeof uniqueKeys === 'function'
        ? uniqueKeys
        : (a, b) => a === b || (identity.isScalar(a) && identity.isScalar(b) && a.value === b.value);
    return items.some(pair => isEqual(pair.key, search));
}

exports.mapIncludes = mapIncludes;


/***/ }),

/***/ 3021:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Alias = __nccwpck_require__(4065);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var toJS = __nccwpck_require__(4043);
var Schema = __nccwpck_require__(5840);
var stringifyDocument = __nccwpck_require__(6829);
var anchors = __nccwpck_require__(1596);
var applyReviver = __nccwpck_require__(3661);
var createNode = __nccwpck_require__(2404);
var directives = __nccwpck_require__(1342);

class Document {
    constructor(value, replacer, options) {
        /** A comment before this Document */
        this.commentBefore = null;
        /** A comment immediately after this Document */
        this.comment = null;
        /** Errors encountered during parsing. */
        this.errors = [];
        /** Warnings encountered during parsing. */
        this.warnings = [];
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.DOC });
        let _replacer = null;
        if (typeof replacer === 'function' || Array.isArray(replacer)) {
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const opt = Object.assign({
            intAsBigInt: false,
            keepSourceTokens: false,
            logLevel: 'warn',
            prettyErrors: true,
            strict: true,
            stringKeys: false,
            uniqueKeys: true,
            version: '1.2'
        }, options);
        this.options = opt;
        let { version } = opt;
        if (options?._directives) {
            this.directives = options._directives.atDocument();
            if (this.directives.yaml.explicit)
                version = this.directives.yaml.version;
        }
        else
            this.directives = new directives.Directives({ version });
        this.setSchema(version, options);
        // @ts-expect-error We can't really know that this matches Contents.
        this.contents =
            value === undefined ? null : this.createNode(value, _replacer, options);
    }
    /**
     * Create a deep copy of this Document and its contents.
     *
     * Custom Node values that inherit from `Object` still refer to their original instances.
     */
    clone() {
        const copy = Object.create(Document.prototype, {
            [identity.NODE_TYPE]: { value: identity.DOC }
        });
        copy.commentBefore = this.commentBefore;
        copy.comment = this.comment;
        copy.errors = this.errors.slice();
        copy.warnings = this.warnings.slice();
        copy.options = Object.assign({}, this.options);
        if (this.directives)
            copy.directives = this.directives.clone();
        copy.schema = this.schema.clone();
        // @ts-expect-error We can't really know that this matches Contents.
        copy.contents = identity.isNode(this.contents)
            ? this.contents.clone(copy.schema)
            : this.contents;
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** Adds a value to the document. */
    add(value) {
        if (assertCollection(this.contents))
            this.contents.add(value);
    }
    /** Adds a value to the document. */
    addIn(path, value) {
        if (assertCollection(this.contents))
            this.contents.addIn(path, value);
    }
    /**
     * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
     *
     * If `node` already has an anchor, `name` is ignored.
     * Otherwise, the `node.anchor` value will be set to `name`,
     * or if an anchor with that name is already present in the document,
     * `name` will be used as a prefix for a new unique anchor.
     * If `name` is undefined, the generated anchor will use 'a' as a prefix.
     */
    createAlias(node, name) {
        if (!node.anchor) {
            const prev = anchors.anchorNames(this);
            node.anchor =
                // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
                !name || prev.has(name) ? anchors.findNewAnchor(name || 'a', prev) : name;
        }
        return new Alias.Alias(node.anchor);
    }
    createNode(value, replacer, options) {
        let _replacer = undefined;
        if (typeof replacer === 'function') {
            value = replacer.call({ '': value }, '', value);
            _replacer = replacer;
        }
        else if (Array.isArray(replacer)) {
            const keyToStr = (v) => typeof v === 'number' || v instanceof String || v instanceof Number;
            const asStr = replacer.filter(keyToStr).map(String);
            if (asStr.length > 0)
                replacer = replacer.concat(asStr);
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
        const { onAnchor, setAnchors, sourceObjects } = anchors.createNodeAnchors(this, 
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        anchorPrefix || 'a');
        const ctx = {
            aliasDuplicateObjects: aliasDuplicateObjects ?? true,
            keepUndefined: keepUndefined ?? false,
            onAnchor,
            onTagObj,
            replacer: _replacer,
            schema: this.schema,
            sourceObjects
        };
        const node = createNode.createNode(value, tag, ctx);
        if (flow && identity.isCollection(node))
            node.flow = true;
        setAnchors();
        return node;
    }
    /**
     * Convert a key and a value into a `Pair` using the current schema,
     * recursively wrapping all values as `Scalar` or `Collection` nodes.
     */
    createPair(key, value, options = {}) {
        const k = this.createNode(key, null, options);
        const v = this.createNode(value, null, options);
        return new Pair.Pair(k, v);
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        return assertCollection(this.contents) ? this.contents.delete(key) : false;
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        if (Collection.isEmptyPath(path)) {
            if (this.contents == null)
                return false;
            // @ts-expect-error Presumed impossible if Strict extends false
            this.contents = null;
            return true;
        }
        return assertCollection(this.contents)
            ? this.contents.deleteIn(path)
            : false;
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    get(key, keepScalar) {
        return identity.isCollection(this.contents)
            ? this.contents.get(key, keepScalar)
            : undefined;
    }
    /**
     * Returns item at `path`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        if (Collection.isEmptyPath(path))
            return !keepScalar && identity.isScalar(this.contents)
                ? this.contents.value
                : this.contents;
        return identity.isCollection(this.contents)
            ? this.contents.getIn(path, keepScalar)
            : undefined;
    }
    /**
     * Checks if the document includes a value with the key `key`.
     */
    has(key) {
        return identity.isCollection(this.contents) ? this.contents.has(key) : false;
    }
    /**
     * Checks if the document includes a value at `path`.
     */
    hasIn(path) {
        if (Collection.isEmptyPath(path))
            return this.contents !== undefined;
        return identity.isCollection(this.contents) ? this.contents.hasIn(path) : false;
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    set(key, value) {
        if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, [key], value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.set(key, value);
        }
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        if (Collection.isEmptyPath(path)) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = value;
        }
        else if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, Array.from(path), value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.setIn(path, value);
        }
    }
    /**
     * Change the YAML version and schema used by the document.
     * A `null` version disables support for directives, explicit tags, anchors, and aliases.
     * It also requires the `schema` option to be given as a `Schema` instance value.
     *
     * Overrides all previously set schema options.
     */
    setSchema(version, options = {}) {
        if (typeof version === 'number')
            version = String(version);
        let opt;
        switch (version) {
            case '1.1':
                if (this.directives)
                    this.directives.yaml.version = '1.1';
                else
                    this.directives = new directives.Directives({ version: '1.1' });
                opt = { resolveKnownTags: false, schema: 'yaml-1.1' };
                break;
            case '1.2':
            case 'next':
                if (this.directives)
                    this.directives.yaml.version = version;
                else
                    this.directives = new directives.Directives({ version });
                opt = { resolveKnownTags: true, schema: 'core' };
                break;
            case null:
                if (this.directives)
                    delete this.directives;
                opt = null;
                break;
            default: {
                const sv = JSON.stringify(version);
                throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
            }
        }
        // Not using `instanceof Schema` to allow for duck typing
        if (options.schema instanceof Object)
            this.schema = options.schema;
        else if (opt)
            this.schema = new Schema.Schema(Object.assign(opt, options));
        else
            throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
    }
    // json & jsonArg are only used from toJSON()
    toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        const ctx = {
            anchors: new Map(),
            doc: this,
            keep: !json,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this.contents, jsonArg ?? '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
    /**
     * A JSON representation of the document `contents`.
     *
     * @param jsonArg Used by `JSON.stringify` to indicate the array index or
     *   property name.
     */
    toJSON(jsonArg, onAnchor) {
        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
    }
    /** A YAML representation of the document. */
    toString(options = {}) {
        if (this.errors.length > 0)
            throw new Error('Document with errors cannot be stringified');
        if ('indent' in options &&
            (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
            const s = JSON.stringify(options.indent);
            throw new Error(`"indent" option must be a positive integer, not ${s}`);
        }
        return stringifyDocument.stringifyDocument(this, options);
    }
}
function assertCollection(contents) {
    if (identity.isCollection(contents))
        return true;
    throw new Error('Expected a YAML collection as document contents');
}

exports.Document = Document;


/***/ }),

/***/ 1596:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

/**
 * Verify that the input string is a valid anchor.
 *
 * Will throw on errors.
 */
function anchorIsValid(anchor) {
    if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
        const sa = JSON.stringify(anchor);
        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
        throw new Error(msg);
    }
    return true;
}
function anchorNames(root) {
    const anchors = new Set();
    visit.visit(root, {
        Value(_key, node) {
            if (node.anchor)
                anchors.add(node.anchor);
        }
    });
    return anchors;
}
/** Find a new anchor name with the given `prefix` and a one-indexed suffix. */
function findNewAnchor(prefix, exclude) {
    for (let i = 1; true; ++i) {
        const name = `${prefix}${i}`;
        if (!exclude.has(name))
            return name;
    }
}
function createNodeAnchors(doc, prefix) {
    const aliasObjects = [];
    const sourceObjects = new Map();
    let prevAnchors = null;
    return {
        onAnchor: (source) => {
            aliasObjects.push(source);
            prevAnchors ?? (prevAnchors = anchorNames(doc));
            const anchor = findNewAnchor(prefix, prevAnchors);
            prevAnchors.add(anchor);
            return anchor;
        },
        /**
         * With circular references, the source node is only resolved after all
         * of its child nodes are. This is why anchors are set only after all of
         * the nodes have been created.
         */
        setAnchors: () => {
            for (const source of aliasObjects) {
                const ref = sourceObjects.get(source);
                if (typeof ref === 'object' &&
                    ref.anchor &&
                    (identity.isScalar(ref.node) || identity.isCollection(ref.node))) {
                    ref.node.anchor = ref.anchor;
                }
                else {
                    const error = new Error('Failed to resolve repeated object (this should not happen)');
                    error.source = source;
                    throw error;
                }
            }
        },
        sourceObjects
    };
}

exports.anchorIsValid = anchorIsValid;
exports.anchorNames = anchorNames;
exports.createNodeAnchors = createNodeAnchors;
exports.findNewAnchor = findNewAnchor;


/***/ }),

/***/ 3661:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


/**
 * Applies the JSON.parse reviver algorithm as defined in the ECMA-262 spec,
 * in section 24.5.1.1 "Runtime Semantics: InternalizeJSONProperty" of the
 * 2021 edition: https://tc39.es/ecma262/#sec-json.parse
 *
 * Includes extensions for handling Map and Set objects.
 */
function applyReviver(reviver, obj, key, val) {
    if (val && typeof val === 'object') {
        if (Array.isArray(val)) {
            for (let i = 0, len = val.length; i < len; ++i) {
                const v0 = val[i];
                const v1 = applyReviver(reviver, val, String(i), v0);
                // eslint-disable-next-line @typescript-eslint/no-array-delete
                if (v1 === undefined)
                    delete val[i];
                else if (v1 !== v0)
                    val[i] = v1;
            }
        }
        else if (val instanceof Map) {
            for (const k of Array.from(val.keys())) {
                const v0 = val.get(k);
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    val.delete(k);
                else if (v1 !== v0)
                    val.set(k, v1);
            }
        }
        else if (val instanceof Set) {
            for (const v0 of Array.from(val)) {
                const v1 = applyReviver(reviver, val, v0, v0);
                if (v1 === undefined)
                    val.delete(v0);
                else if (v1 !== v0) {
                    val.delete(v0);
                    val.add(v1);
                }
            }
        }
        else {
            for (const [k, v0] of Object.entries(val)) {
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    delete val[k];
                else if (v1 !== v0)
                    val[k] = v1;
            }
        }
    }
    return reviver.call(obj, key, val);
}

exports.applyReviver = applyReviver;


/***/ }),

/***/ 2404:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

const defaultTagPrefix = 'tag:yaml.org,2002:';
function findTagObject(value, tagName, tags) {
    if (tagName) {
        const match = tags.filter(t => t.tag === tagName);
        const tagObj = match.find(t => !t.format) ?? match[0];
        if (!tagObj)
            throw new Error(`Tag ${tagName} not found`);
        return tagObj;
    }
    return tags.find(t => t.identify?.(value) && !t.format);
}
function createNode(value, tagName, ctx) {
    if (identity.isDocument(value))
        value = value.contents;
    if (identity.isNode(value))
        return value;
    if (identity.isPair(value)) {
        const map = ctx.schema[identity.MAP].createNode?.(ctx.schema, null, ctx);
        map.items.push(value);
        return map;
    }
    if (value instanceof String ||
        value instanceof Number ||
        value instanceof Boolean ||
        (typeof BigInt !== 'undefined' && value instanceof BigInt) // not supported everywhere
    ) {
        // https://tc39.es/ecma262/#sec-serializejsonproperty
        value = value.valueOf();
    }
    const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
    // Detect duplicate references to the same object & use Alias nodes for all
    // after first. The `ref` wrapper allows for circular references to resolve.
    let ref = undefined;
    if (aliasDuplicateObjects && value && typeof value === 'object') {
        ref = sourceObjects.get(value);
        if (ref) {
            ref.anchor ?? (ref.anchor = onAnchor(value));
            return new Alias.Alias(ref.anchor);
        }
        else {
            ref = { anchor: null, node: null };
            sourceObjects.set(value, ref);
        }
    }
    if (tagName?.startsWith('!!'))
        tagName = defaultTagPrefix + tagName.slice(2);
    let tagObj = findTagObject(value, tagName, schema.tags);
    if (!tagObj) {
        if (value && typeof value.toJSON === 'function') {
            // eslint-disable-next-line @typescript-eslint/no-unsafe-call
            value = value.toJSON();
        }
        if (!value || typeof value !== 'object') {
            const node = new Scalar.Scalar(value);
            if (ref)
                ref.node = node;
            return node;
        }
        tagObj =
            value instanceof Map
                ? schema[identity.MAP]
                : Symbol.iterator in Object(value)
                    ? schema[identity.SEQ]
                    : schema[identity.MAP];
    }
    if (onTagObj) {
        onTagObj(tagObj);
        delete ctx.onTagObj;
    }
    const node = tagObj?.createNode
        ? tagObj.createNode(ctx.schema, value, ctx)
        : typeof tagObj?.nodeClass?.from === 'function'
            ? tagObj.nodeClass.from(ctx.schema, value, ctx)
            : new Scalar.Scalar(value);
    if (tagName)
        node.tag = tagName;
    else if (!tagObj.default)
        node.tag = tagObj.tag;
    if (ref)
        ref.node = node;
    return node;
}

exports.createNode = createNode;


/***/ }),

/***/ 1342:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

const escapeChars = {
    '!': '%21',
    ',': '%2C',
    '[': '%5B',
    ']': '%5D',
    '{': '%7B',
    '}': '%7D'
};
const escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, ch => escapeChars[ch]);
class Directives {
    constructor(yaml, tags) {
        /**
         * The directives-end/doc-start marker `---`. If `null`, a marker may still be
         * included in the document's stringified representation.
         */
        this.docStart = null;
        /** The doc-end marker `...`.  */
        this.docEnd = false;
        this.yaml = Object.assign({}, Directives.defaultYaml, yaml);
        this.tags = Object.assign({}, Directives.defaultTags, tags);
    }
    clone() {
        const copy = new Directives(this.yaml, this.tags);
        copy.docStart = this.docStart;
        return copy;
    }
    /**
     * During parsing, get a Directives instance for the current document and
     * update the stream state according to the current version's spec.
     */
    atDocument() {
        const res = new Directives(this.yaml, this.tags);
        switch (this.yaml.version) {
            case '1.1':
                this.atNextDocument = true;
                break;
            case '1.2':
                this.atNextDocument = false;
                this.yaml = {
                    explicit: Directives.defaultYaml.explicit,
                    version: '1.2'
                };
                this.tags = Object.assign({}, Directives.defaultTags);
                break;
        }
        return res;
    }
    /**
     * @param onError - May be called even if the action was successful
     * @returns `true` on success
     */
    add(line, onError) {
        if (this.atNextDocument) {
            this.yaml = { explicit: Directives.defaultYaml.explicit, version: '1.1' };
            this.tags = Object.assign({}, Directives.defaultTags);
            this.atNextDocument = false;
        }
        const parts = line.trim().split(/[ \t]+/);
        const name = parts.shift();
        switch (name) {
            case '%TAG': {
                if (parts.length !== 2) {
                    onError(0, '%TAG directive should contain exactly two parts');
                    if (parts.length < 2)
                        return false;
                }
                const [handle, prefix] = parts;
                this.tags[handle] = prefix;
                return true;
            }
            case '%YAML': {
                this.yaml.explicit = true;
                if (parts.length !== 1) {
                    onError(0, '%YAML directive should contain exactly one part');
                    return false;
                }
                const [version] = parts;
                if (version === '1.1' || version === '1.2') {
                    this.yaml.version = version;
                    return true;
                }
                else {
                    const isValid = /^\d+\.\d+$/.test(version);
                    onError(6, `Unsupported YAML version ${version}`, isValid);
                    return false;
                }
            }
            default:
                onError(0, `Unknown directive ${name}`, true);
                return false;
        }
    }
    /**
     * Resolves a tag, matching handles to those defined in %TAG directives.
     *
     * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
     *   `'!local'` tag, or `null` if unresolvable.
     */
    tagName(source, onError) {
        if (source === '!')
            return '!'; // non-specific tag
        if (source[0] !== '!') {
            onError(`Not a valid tag: ${source}`);
            return null;
        }
        if (source[1] === '<') {
            const verbatim = source.slice(2, -1);
            if (verbatim === '!' || verbatim === '!!') {
                onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
                return null;
            }
            if (source[source.length - 1] !== '>')
                onError('Verbatim tags must end with a >');
            return verbatim;
        }
        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
        if (!suffix)
            onError(`The ${source} tag has no suffix`);
        const prefix = this.tags[handle];
        if (prefix) {
            try {
                return prefix + decodeURIComponent(suffix);
            }
            catch (error) {
                onError(String(error));
                return null;
            }
        }
        if (handle === '!')
            return source; // local tag
        onError(`Could not resolve tag: ${source}`);
        return null;
    }
    /**
     * Given a fully resolved tag, returns its printable string form,
     * taking into account current tag prefixes and defaults.
     */
    tagString(tag) {
        for (const [handle, prefix] of Object.entries(this.tags)) {
            if (tag.startsWith(prefix))
                return handle + escapeTagName(tag.substring(prefix.length));
        }
        return tag[0] === '!' ? tag : `!<${tag}>`;
    }
    toString(doc) {
        const lines = this.yaml.explicit
            ? [`%YAML ${this.yaml.version || '1.2'}`]
            : [];
        const tagEntries = Object.entries(this.tags);
        let tagNames;
        if (doc && tagEntries.length > 0 && identity.isNode(doc.contents)) {
            const tags = {};
            visit.visit(doc.contents, (_key, node) => {
                if (identity.isNode(node) && node.tag)
                    tags[node.tag] = true;
            });
            tagNames = Object.keys(tags);
        }
        else
            tagNames = [];
        for (const [handle, prefix] of tagEntries) {
            if (handle === '!!' && prefix === 'tag:yaml.org,2002:')
                continue;
            if (!doc || tagNames.some(tn => tn.startsWith(prefix)))
                lines.push(`%TAG ${handle} ${prefix}`);
        }
        return lines.join('\n');
    }
}
Directives.defaultYaml = { explicit: false, version: '1.2' };
Directives.defaultTags = { '!!': 'tag:yaml.org,2002:' };

exports.Directives = Directives;


/***/ }),

/***/ 1464:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


class YAMLError extends Error {
    constructor(name, pos, code, message) {
        super();
        this.name = name;
        this.code = code;
        this.message = message;
        this.pos = pos;
    }
}
class YAMLParseError extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLParseError', pos, code, message);
    }
}
class YAMLWarning extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLWarning', pos, code, message);
    }
}
const prettifyError = (src, lc) => (error) => {
    if (error.pos[0] === -1)
        return;
    error.linePos = error.pos.map(pos => lc.linePos(pos));
    const { line, col } = error.linePos[0];
    error.message += ` at line ${line}, column ${col}`;
    let ci = col - 1;
    let lineStr = src
        .substring(lc.lineStarts[line - 1], lc.lineStarts[line])
        .replace(/[\n\r]+$/, '');
    // Trim to max 80 chars, keeping col position near the middle
    if (ci >= 60 && lineStr.length > 80) {
        const trimStart = Math.min(ci - 39, lineStr.length - 79);
        lineStr = '…' + lineStr.substring(trimStart);
        ci -= trimStart - 1;
    }
    if (lineStr.length > 80)
        lineStr = lineStr.substring(0, 79) + '…';
    // Include previous line in context if pointing at line start
    if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
        // Regexp won't match if start is trimmed
        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
        if (prev.length > 80)
            prev = prev.substring(0, 79) + '…\n';
        lineStr = prev + lineStr;
    }
    if (/[^ ]/.test(lineStr)) {
        let count = 1;
        const end = error.linePos[1];
        if (end?.line === line && end.col > col) {
            count = Math.max(1, Math.min(end.col - col, 80 - ci));
        }
        const pointer = ' '.repeat(ci) + '^'.repeat(count);
        error.message += `:\n\n${lineStr}\n${pointer}\n`;
    }
};

exports.YAMLError = YAMLError;
exports.YAMLParseError = YAMLParseError;
exports.YAMLWarning = YAMLWarning;
exports.prettifyError = prettifyError;


/***/ }),

/***/ 8815:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";
var __webpack_unused_export__;


var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var Schema = __nccwpck_require__(5840);
var errors = __nccwpck_require__(1464);
var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);
var publicApi = __nccwpck_require__(4047);
var visit = __nccwpck_require__(204);



__webpack_unused_export__ = composer.Composer;
__webpack_unused_export__ = Document.Document;
__webpack_unused_export__ = Schema.Schema;
__webpack_unused_export__ = errors.YAMLError;
__webpack_unused_export__ = errors.YAMLParseError;
__webpack_unused_export__ = errors.YAMLWarning;
__webpack_unused_export__ = Alias.Alias;
__webpack_unused_export__ = identity.isAlias;
__webpack_unused_export__ = identity.isCollection;
__webpack_unused_export__ = identity.isDocument;
__webpack_unused_export__ = identity.isMap;
__webpack_unused_export__ = identity.isNode;
__webpack_unused_export__ = identity.isPair;
__webpack_unused_export__ = identity.isScalar;
__webpack_unused_export__ = identity.isSeq;
__webpack_unused_export__ = Pair.Pair;
__webpack_unused_export__ = Scalar.Scalar;
__webpack_unused_export__ = YAMLMap.YAMLMap;
__webpack_unused_export__ = YAMLSeq.YAMLSeq;
__webpack_unused_export__ = cst;
__webpack_unused_export__ = lexer.Lexer;
__webpack_unused_export__ = lineCounter.LineCounter;
__webpack_unused_export__ = parser.Parser;
exports.qg = publicApi.parse;
__webpack_unused_export__ = publicApi.parseAllDocuments;
__webpack_unused_export__ = publicApi.parseDocument;
__webpack_unused_export__ = publicApi.stringify;
__webpack_unused_export__ = visit.visit;
__webpack_unused_export__ = visit.visitAsync;


/***/ }),

/***/ 7249:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var node_process = __nccwpck_require__(932);

function debug(logLevel, ...messages) {
    if (logLevel === 'debug')
        console.log(...messages);
}
function warn(logLevel, warning) {
    if (logLevel === 'debug' || logLevel === 'warn') {
        if (typeof node_process.emitWarning === 'function')
            node_process.emitWarning(warning);
        else
            console.warn(warning);
    }
}

exports.debug = debug;
exports.warn = warn;


/***/ }),

/***/ 4065:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var anchors = __nccwpck_require__(1596);
var visit = __nccwpck_require__(204);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

class Alias extends Node.NodeBase {
    constructor(source) {
        super(identity.ALIAS);
        this.source = source;
        Object.defineProperty(this, 'tag', {
            set() {
                throw new Error('Alias nodes cannot have tags');
            }
        });
    }
    /**
     * Resolve the value of this alias within `doc`, finding the last
     * instance of the `source` anchor before this node.
     */
    resolve(doc, ctx) {
        if (ctx?.maxAliasCount === 0)
            throw new ReferenceError('Alias resolution is disabled');
        let nodes;
        if (ctx?.aliasResolveCache) {
            nodes = ctx.aliasResolveCache;
        }
        else {
            nodes = [];
            visit.visit(doc, {
                Node: (_key, node) => {
                    if (identity.isAlias(node) || identity.hasAnchor(node))
                        nodes.push(node);
                }
            });
            if (ctx)
                ctx.aliasResolveCache = nodes;
        }
        let found = undefined;
        for (const node of nodes) {
            if (node === this)
                break;
            if (node.anchor === this.source)
                found = node;
        }
        if (found && ctx) {
            const { anchors, doc, maxAliasCount } = ctx;
            let data = anchors.get(found);
            if (!data) {
                // Resolve anchors for Node.prototype.toJS()
                toJS.toJS(found, null, ctx);
                data = anchors.get(found);
            }
            /* istanbul ignore if */
            if (data?.res === undefined) {
                const msg = 'This should not happen: Alias anchor was not resolved?';
                throw new ReferenceError(msg);
            }
            if (maxAliasCount >= 0) {
                data.count += 1;
                if (data.aliasCount === 0)
                    data.aliasCount = getAliasCount(doc, found, anchors);
                if (data.count * data.aliasCount > maxAliasCount) {
                    const msg = 'Excessive alias count indicates a resource exhaustion attack';
                    throw new ReferenceError(msg);
                }
            }
        }
        return found;
    }
    toJSON(_arg, ctx) {
        if (!ctx)
            return { source: this.source };
        const source = this.resolve(ctx.doc, ctx);
        if (!source) {
            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
            throw new ReferenceError(msg);
        }
        return ctx.anchors.get(source).res;
    }
    toString(ctx, _onComment, _onChompKeep) {
        const src = `*${this.source}`;
        if (ctx) {
            anchors.anchorIsValid(this.source);
            if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
                const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
                throw new Error(msg);
            }
            if (ctx.implicitKey)
                return `${src} `;
        }
        return src;
    }
}
function getAliasCount(doc, node, anchors) {
    if (identity.isAlias(node)) {
        const source = node.resolve(doc);
        const anchor = anchors && source && anchors.get(source);
        return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    else if (identity.isCollection(node)) {
        let count = 0;
        for (const item of node.items) {
            const c = getAliasCount(doc, item, anchors);
            if (c > count)
                count = c;
        }
        return count;
    }
    else if (identity.isPair(node)) {
        const kc = getAliasCount(doc, node.key, anchors);
        const vc = getAliasCount(doc, node.value, anchors);
        return Math.max(kc, vc);
    }
    return 1;
}

exports.Alias = Alias;


/***/ }),

/***/ 101:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var createNode = __nccwpck_require__(2404);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);

function collectionFromPath(schema, path, value) {
    let v = value;
    for (let i = path.length - 1; i >= 0; --i) {
        const k = path[i];
        if (typeof k === 'number' && Number.isInteger(k) && k >= 0) {
            const a = [];
            a[k] = v;
            v = a;
        }
        else {
            v = new Map([[k, v]]);
        }
    }
    return createNode.createNode(v, undefined, {
        aliasDuplicateObjects: false,
        keepUndefined: false,
        onAnchor: () => {
            throw new Error('This should not happen, please report a bug.');
        },
        schema,
        sourceObjects: new Map()
    });
}
// Type guard is intentionally a little wrong so as to be more useful,
// as it does not cover untypable empty non-string iterables (e.g. []).
const isEmptyPath = (path) => path == null ||
    (typeof path === 'object' && !!path[Symbol.iterator]().next().done);
class Collection extends Node.NodeBase {
    constructor(type, schema) {
        super(type);
        Object.defineProperty(this, 'schema', {
            value: schema,
            configurable: true,
            enumerable: false,
            writable: true
        });
    }
    /**
     * Create a copy of this collection.
     *
     * @param schema - If defined, overwrites the original's schema
     */
    clone(schema) {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (schema)
            copy.schema = schema;
        copy.items = copy.items.map(it => identity.isNode(it) || identity.isPair(it) ? it.clone(schema) : it);
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /**
     * Adds a value to the collection. For `!!map` and `!!omap` the value must
     * be a Pair instance or a `{ key, value }` object, which may not have a key
     * that already exists in the map.
     */
    addIn(path, value) {
        if (isEmptyPath(path))
            this.add(value);
        else {
            const [key, ...rest] = path;
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.addIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
    /**
     * Removes a value from the collection.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.delete(key);
        const node = this.get(key, true);
        if (identity.isCollection(node))
            return node.deleteIn(rest);
        else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        const [key, ...rest] = path;
        const node = this.get(key, true);
        if (rest.length === 0)
            return !keepScalar && identity.isScalar(node) ? node.value : node;
        else
            return identity.isCollection(node) ? node.getIn(rest, keepScalar) : undefined;
    }
    hasAllNullValues(allowScalar) {
        return this.items.every(node => {
            if (!identity.isPair(node))
                return false;
            const n = node.value;
            return (n == null ||
                (allowScalar &&
                    identity.isScalar(n) &&
                    n.value == null &&
                    !n.commentBefore &&
                    !n.comment &&
                    !n.tag));
        });
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     */
    hasIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.has(key);
        const node = this.get(key, true);
        return identity.isCollection(node) ? node.hasIn(rest) : false;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        const [key, ...rest] = path;
        if (rest.length === 0) {
            this.set(key, value);
        }
        else {
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.setIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
}

exports.Collection = Collection;
exports.collectionFromPath = collectionFromPath;
exports.isEmptyPath = isEmptyPath;


/***/ }),

/***/ 6673:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var applyReviver = __nccwpck_require__(3661);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

class NodeBase {
    constructor(type) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: type });
    }
    /** Create a copy of this node.  */
    clone() {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** A plain JavaScript representation of this node. */
    toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        if (!identity.isDocument(doc))
            throw new TypeError('A document argument is required');
        const ctx = {
            anchors: new Map(),
            doc,
            keep: true,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this, '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
}

exports.NodeBase = NodeBase;


/***/ }),

/***/ 7165:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var createNode = __nccwpck_require__(2404);
var stringifyPair = __nccwpck_require__(9748);
var addPairToJSMap = __nccwpck_require__(7104);
var identity = __nccwpck_require__(1127);

function createPair(key, value, ctx) {
    const k = createNode.createNode(key, undefined, ctx);
    const v = createNode.createNode(value, undefined, ctx);
    return new Pair(k, v);
}
class Pair {
    constructor(key, value = null) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.PAIR });
        this.key = key;
        this.value = value;
    }
    clone(schema) {
        let { key, value } = this;
        if (identity.isNode(key))
            key = key.clone(schema);
        if (identity.isNode(value))
            value = value.clone(schema);
        return new Pair(key, value);
    }
    toJSON(_, ctx) {
        const pair = ctx?.mapAsMap ? new Map() : {};
        return addPairToJSMap.addPairToJSMap(ctx, pair, this);
    }
    toString(ctx, onComment, onChompKeep) {
        return ctx?.doc
            ? stringifyPair.stringifyPair(this, ctx, onComment, onChompKeep)
            : JSON.stringify(this);
    }
}

exports.Pair = Pair;
exports.createPair = createPair;


/***/ }),

/***/ 3301:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

const isScalarValue = (value) => !value || (typeof value !== 'function' && typeof value !== 'object');
class Scalar extends Node.NodeBase {
    constructor(value) {
        super(identity.SCALAR);
        this.value = value;
    }
    toJSON(arg, ctx) {
        return ctx?.keep ? this.value : toJS.toJS(this.value, arg, ctx);
    }
    toString() {
        return String(this.value);
    }
}
Scalar.BLOCK_FOLDED = 'BLOCK_FOLDED';
Scalar.BLOCK_LITERAL = 'BLOCK_LITERAL';
Scalar.PLAIN = 'PLAIN';
Scalar.QUOTE_DOUBLE = 'QUOTE_DOUBLE';
Scalar.QUOTE_SINGLE = 'QUOTE_SINGLE';

exports.Scalar = Scalar;
exports.isScalarValue = isScalarValue;


/***/ }),

/***/ 4454:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var stringifyCollection = __nccwpck_require__(1212);
var addPairToJSMap = __nccwpck_require__(7104);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);

function findPair(items, key) {
    const k = identity.isScalar(key) ? key.value : key;
    for (const it of items) {
        if (identity.isPair(it)) {
            if (it.key === key || it.key === k)
                return it;
            if (identity.isScalar(it.key) && it.key.value === k)
                return it;
        }
    }
    return undefined;
}
class YAMLMap extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:map';
    }
    constructor(schema) {
        super(identity.MAP, schema);
        this.items = [];
    }
    /**
     * A generic collection parsing method that can be extended
     * to other node classes that inherit from YAMLMap
     */
    static from(schema, obj, ctx) {
        const { keepUndefined, replacer } = ctx;
        const map = new this(schema);
        const add = (key, value) => {
            if (typeof replacer === 'function')
                value = replacer.call(obj, key, value);
            else if (Array.isArray(replacer) && !replacer.includes(key))
                return;
            if (value !== undefined || keepUndefined)
                map.items.push(Pair.createPair(key, value, ctx));
        };
        if (obj instanceof Map) {
            for (const [key, value] of obj)
                add(key, value);
        }
        else if (obj && typeof obj === 'object') {
            for (const key of Object.keys(obj))
                add(key, obj[key]);
        }
        if (typeof schema.sortMapEntries === 'function') {
            map.items.sort(schema.sortMapEntries);
        }
        return map;
    }
    /**
     * Adds a value to the collection.
     *
     * @param overwrite - If not set `true`, using a key that is already in the
     *   collection will throw. Otherwise, overwrites the previous value.
     */
    add(pair, overwrite) {
        let _pair;
        if (identity.isPair(pair))
            _pair = pair;
        else if (!pair || typeof pair !== 'object' || !('key' in pair)) {
            // In TypeScript, this never happens.
            _pair = new Pair.Pair(pair, pair?.value);
        }
        else
            _pair = new Pair.Pair(pair.key, pair.value);
        const prev = findPair(this.items, _pair.key);
        const sortEntries = this.schema?.sortMapEntries;
        if (prev) {
            if (!overwrite)
                throw new Error(`Key ${_pair.key} already set`);
            // For scalars, keep the old node & its comments and anchors
            if (identity.isScalar(prev.value) && Scalar.isScalarValue(_pair.value))
                prev.value.value = _pair.value;
            else
                prev.value = _pair.value;
        }
        else if (sortEntries) {
            const i = this.items.findIndex(item => sortEntries(_pair, item) < 0);
            if (i === -1)
                this.items.push(_pair);
            else
                this.items.splice(i, 0, _pair);
        }
        else {
            this.items.push(_pair);
        }
    }
    delete(key) {
        const it = findPair(this.items, key);
        if (!it)
            return false;
        const del = this.items.splice(this.items.indexOf(it), 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const it = findPair(this.items, key);
        const node = it?.value;
        return (!keepScalar && identity.isScalar(node) ? node.value : node) ?? undefined;
    }
    has(key) {
        return !!findPair(this.items, key);
    }
    set(key, value) {
        this.add(new Pair.Pair(key, value), true);
    }
    /**
     * @param ctx - Conversion context, originally set in Document#toJS()
     * @param {Class} Type - If set, forces the returned collection type
     * @returns Instance of Type, Map, or Object
     */
    toJSON(_, ctx, Type) {
        const map = Type ? new Type() : ctx?.mapAsMap ? new Map() : {};
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const item of this.items)
            addPairToJSMap.addPairToJSMap(ctx, map, item);
        return map;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        for (const item of this.items) {
            if (!identity.isPair(item))
                throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
        }
        if (!ctx.allNullValues && this.hasAllNullValues(false))
            ctx = Object.assign({}, ctx, { allNullValues: true });
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '',
            flowChars: { start: '{', end: '}' },
            itemIndent: ctx.indent || '',
            onChompKeep,
            onComment
        });
    }
}

exports.YAMLMap = YAMLMap;
exports.findPair = findPair;


/***/ }),

/***/ 2223:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var createNode = __nccwpck_require__(2404);
var stringifyCollection = __nccwpck_require__(1212);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var toJS = __nccwpck_require__(4043);

class YAMLSeq extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:seq';
    }
    constructor(schema) {
        super(identity.SEQ, schema);
        this.items = [];
    }
    add(value) {
        this.items.push(value);
    }
    /**
     * Removes a value from the collection.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     *
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return false;
        const del = this.items.splice(idx, 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return undefined;
        const it = this.items[idx];
        return !keepScalar && identity.isScalar(it) ? it.value : it;
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     */
    has(key) {
        const idx = asItemIndex(key);
        return typeof idx === 'number' && idx < this.items.length;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     *
     * If `key` does not contain a representation of an integer, this will throw.
     * It may be wrapped in a `Scalar`.
     */
    set(key, value) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            throw new Error(`Expected a valid index, not ${key}.`);
        const prev = this.items[idx];
        if (identity.isScalar(prev) && Scalar.isScalarValue(value))
            prev.value = value;
        else
            this.items[idx] = value;
    }
    toJSON(_, ctx) {
        const seq = [];
        if (ctx?.onCreate)
            ctx.onCreate(seq);
        let i = 0;
        for (const item of this.items)
            seq.push(toJS.toJS(item, String(i++), ctx));
        return seq;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '- ',
            flowChars: { start: '[', end: ']' },
            itemIndent: (ctx.indent || '') + '  ',
            onChompKeep,
            onComment
        });
    }
    static from(schema, obj, ctx) {
        const { replacer } = ctx;
        const seq = new this(schema);
        if (obj && Symbol.iterator in Object(obj)) {
            let i = 0;
            for (let it of obj) {
                if (typeof replacer === 'function') {
                    const key = obj instanceof Set ? it : String(i++);
                    it = replacer.call(obj, key, it);
                }
                seq.items.push(createNode.createNode(it, undefined, ctx));
            }
        }
        return seq;
    }
}
function asItemIndex(key) {
    let idx = identity.isScalar(key) ? key.value : key;
    if (idx && typeof idx === 'string')
        idx = Number(idx);
    return typeof idx === 'number' && Number.isInteger(idx) && idx >= 0
        ? idx
        : null;
}

exports.YAMLSeq = YAMLSeq;


/***/ }),

/***/ 7104:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var log = __nccwpck_require__(7249);
var merge = __nccwpck_require__(452);
var stringify = __nccwpck_require__(2148);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

function addPairToJSMap(ctx, map, { key, value }) {
    if (identity.isNode(key) && key.addToJSMap)
        key.addToJSMap(ctx, map, value);
    // TODO: Should drop this special case for bare << handling
    else if (merge.isMergeKey(ctx, key))
        merge.addMergeToJSMap(ctx, map, value);
    else {
        const jsKey = toJS.toJS(key, '', ctx);
        if (map instanceof Map) {
            map.set(jsKey, toJS.toJS(value, jsKey, ctx));
        }
        else if (map instanceof Set) {
            map.add(jsKey);
        }
        else {
            const stringKey = stringifyKey(key, jsKey, ctx);
            const jsValue = toJS.toJS(value, stringKey, ctx);
            if (stringKey in map)
                Object.defineProperty(map, stringKey, {
                    value: jsValue,
                    writable: true,
                    enumerable: true,
                    configurable: true
                });
            else
                map[stringKey] = jsValue;
        }
    }
    return map;
}
function stringifyKey(key, jsKey, ctx) {
    if (jsKey === null)
        return '';
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    if (typeof jsKey !== 'object')
        return String(jsKey);
    if (identity.isNode(key) && ctx?.doc) {
        const strCtx = stringify.createStringifyContext(ctx.doc, {});
        strCtx.anchors = new Set();
        for (const node of ctx.anchors.keys())
            strCtx.anchors.add(node.anchor);
        strCtx.inFlow = true;
        strCtx.inStringifyKey = true;
        const strKey = key.toString(strCtx);
        if (!ctx.mapKeyWarned) {
            let jsonStr = JSON.stringify(strKey);
            if (jsonStr.length > 40)
                jsonStr = jsonStr.substring(0, 36) + '..."';
            log.warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
            ctx.mapKeyWarned = true;
        }
        return strKey;
    }
    return JSON.stringify(jsKey);
}

exports.addPairToJSMap = addPairToJSMap;


/***/ }),

/***/ 1127:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


const ALIAS = Symbol.for('yaml.alias');
const DOC = Symbol.for('yaml.document');
const MAP = Symbol.for('yaml.map');
const PAIR = Symbol.for('yaml.pair');
const SCALAR = Symbol.for('yaml.scalar');
const SEQ = Symbol.for('yaml.seq');
const NODE_TYPE = Symbol.for('yaml.node.type');
const isAlias = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === ALIAS;
const isDocument = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === DOC;
const isMap = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === MAP;
const isPair = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === PAIR;
const isScalar = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SCALAR;
const isSeq = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SEQ;
function isCollection(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case MAP:
            case SEQ:
                return true;
        }
    return false;
}
function isNode(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case ALIAS:
            case MAP:
            case SCALAR:
            case SEQ:
                return true;
        }
    return false;
}
const hasAnchor = (node) => (isScalar(node) || isCollection(node)) && !!node.anchor;

exports.ALIAS = ALIAS;
exports.DOC = DOC;
exports.MAP = MAP;
exports.NODE_TYPE = NODE_TYPE;
exports.PAIR = PAIR;
exports.SCALAR = SCALAR;
exports.SEQ = SEQ;
exports.hasAnchor = hasAnchor;
exports.isAlias = isAlias;
exports.isCollection = isCollection;
exports.isDocument = isDocument;
exports.isMap = isMap;
exports.isNode = isNode;
exports.isPair = isPair;
exports.isScalar = isScalar;
exports.isSeq = isSeq;


/***/ }),

/***/ 4043:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);

/**
 * Recursively convert any node or its contents to native JavaScript
 *
 * @param value - The input value
 * @param arg - If `value` defines a `toJSON()` method, use this
 *   as its first argument
 * @param ctx - Conversion context, originally set in Document#toJS(). If
 *   `{ keep: true }` is not set, output should be suitable for JSON
 *   stringification.
 */
function toJS(value, arg, ctx) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    if (Array.isArray(value))
        return value.map((v, i) => toJS(v, String(i), ctx));
    if (value && typeof value.toJSON === 'function') {
        // eslint-disable-next-line @typescript-eslint/no-unsafe-call
        if (!ctx || !identity.hasAnchor(value))
            return value.toJSON(arg, ctx);
        const data = { aliasCount: 0, count: 1, res: undefined };
        ctx.anchors.set(value, data);
        ctx.onCreate = res => {
            data.res = res;
            delete ctx.onCreate;
        };
        const res = value.toJSON(arg, ctx);
        if (ctx.onCreate)
            ctx.onCreate(res);
        return res;
    }
    if (typeof value === 'bigint' && !ctx?.keep)
        return Number(value);
    return value;
}

exports.toJS = toJS;


/***/ }),

/***/ 110:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);
var errors = __nccwpck_require__(1464);
var stringifyString = __nccwpck_require__(3069);

function resolveAsScalar(token, strict = true, onError) {
    if (token) {
        const _onError = (pos, code, message) => {
            const offset = typeof pos === 'number' ? pos : Array.isArray(pos) ? pos[0] : pos.offset;
            if (onError)
                onError(offset, code, message);
            else
                throw new errors.YAMLParseError([offset, offset + 1], code, message);
        };
        switch (token.type) {
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return resolveFlowScalar.resolveFlowScalar(token, strict, _onError);
            case 'block-scalar':
                return resolveBlockScalar.resolveBlockScalar({ options: { strict } }, token, _onError);
        }
    }
    return null;
}
/**
 * Create a new scalar token with `value`
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.end Comments and whitespace after the end of the value, or after the block scalar header. If undefined, a newline will be added.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.indent The indent level of the token.
 * @param context.inFlow Is this scalar within a flow collection? This may affect the resolved type of the token's value.
 * @param context.offset The offset position of the token.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function createScalarToken(value, context) {
    const { implicitKey = false, indent, inFlow = false, offset = -1, type = 'PLAIN' } = context;
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey,
        indent: indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    const end = context.end ?? [
        { type: 'newline', offset: -1, indent, source: '\n' }
    ];
    switch (source[0]) {
        case '|':
        case '>': {
            const he = source.indexOf('\n');
            const head = source.substring(0, he);
            const body = source.substring(he + 1) + '\n';
            const props = [
                { type: 'block-scalar-header', offset, indent, source: head }
            ];
            if (!addEndtoBlockProps(props, end))
                props.push({ type: 'newline', offset: -1, indent, source: '\n' });
            return { type: 'block-scalar', offset, indent, props, source: body };
        }
        case '"':
            return { type: 'double-quoted-scalar', offset, indent, source, end };
        case "'":
            return { type: 'single-quoted-scalar', offset, indent, source, end };
        default:
            return { type: 'scalar', offset, indent, source, end };
    }
}
/**
 * Set the value of `token` to the given string `value`, overwriting any previous contents and type that it may have.
 *
 * Best efforts are made to retain any comments previously associated with the `token`,
 * though all contents within a collection's `items` will be overwritten.
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param token Any token. If it does not include an `indent` value, the value will be stringified as if it were an implicit key.
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.afterKey In most cases, values after a key should have an additional level of indentation.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.inFlow Being within a flow collection may affect the resolved type of the token's value.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function setScalarValue(token, value, context = {}) {
    let { afterKey = false, implicitKey = false, inFlow = false, type } = context;
    let indent = 'indent' in token ? token.indent : null;
    if (afterKey && typeof indent === 'number')
        indent += 2;
    if (!type)
        switch (token.type) {
            case 'single-quoted-scalar':
                type = 'QUOTE_SINGLE';
                break;
            case 'double-quoted-scalar':
                type = 'QUOTE_DOUBLE';
                break;
            case 'block-scalar': {
                const header = token.props[0];
                if (header.type !== 'block-scalar-header')
                    throw new Error('Invalid block scalar header');
                type = header.source[0] === '>' ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
                break;
            }
            default:
                type = 'PLAIN';
        }
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey: implicitKey || indent === null,
        indent: indent !== null && indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    switch (source[0]) {
        case '|':
        case '>':
            setBlockScalarValue(token, source);
            break;
        case '"':
            setFlowScalarValue(token, source, 'double-quoted-scalar');
            break;
        case "'":
            setFlowScalarValue(token, source, 'single-quoted-scalar');
            break;
        default:
            setFlowScalarValue(token, source, 'scalar');
    }
}
function setBlockScalarValue(token, source) {
    const he = source.indexOf('\n');
    const head = source.substring(0, he);
    const body = source.substring(he + 1) + '\n';
    if (token.type === 'block-scalar') {
        const header = token.props[0];
        if (header.type !== 'block-scalar-header')
            throw new Error('Invalid block scalar header');
        header.source = head;
        token.source = body;
    }
    else {
        const { offset } = token;
        const indent = 'indent' in token ? token.indent : -1;
        const props = [
            { type: 'block-scalar-header', offset, indent, source: head }
        ];
        if (!addEndtoBlockProps(props, 'end' in token ? token.end : undefined))
            props.push({ type: 'newline', offset: -1, indent, source: '\n' });
        for (const key of Object.keys(token))
            if (key !== 'type' && key !== 'offset')
                delete token[key];
        Object.assign(token, { type: 'block-scalar', indent, props, source: body });
    }
}
/** @returns `true` if last token is a newline */
function addEndtoBlockProps(props, end) {
    if (end)
        for (const st of end)
            switch (st.type) {
                case 'space':
                case 'comment':
                    props.push(st);
                    break;
                case 'newline':
                    props.push(st);
                    return true;
            }
    return false;
}
function setFlowScalarValue(token, source, type) {
    switch (token.type) {
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            token.type = type;
            token.source = source;
            break;
        case 'block-scalar': {
            const end = token.props.slice(1);
            let oa = source.length;
            if (token.props[0].type === 'block-scalar-header')
                oa -= token.props[0].source.length;
            for (const tok of end)
                tok.offset += oa;
            delete token.props;
            Object.assign(token, { type, source, end });
            break;
        }
        case 'block-map':
        case 'block-seq': {
            const offset = token.offset + source.length;
            const nl = { type: 'newline', offset, indent: token.indent, source: '\n' };
            delete token.items;
            Object.assign(token, { type, source, end: [nl] });
            break;
        }
        default: {
            const indent = 'indent' in token ? token.indent : -1;
            const end = 'end' in token && Array.isArray(token.end)
                ? token.end.filter(st => st.type === 'space' ||
                    st.type === 'comment' ||
                    st.type === 'newline')
                : [];
            for (const key of Object.keys(token))
                if (key !== 'type' && key !== 'offset')
                    delete token[key];
            Object.assign(token, { type, indent, source, end });
        }
    }
}

exports.createScalarToken = createScalarToken;
exports.resolveAsScalar = resolveAsScalar;
exports.setScalarValue = setScalarValue;


/***/ }),

/***/ 1733:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


/**
 * Stringify a CST document, token, or collection item
 *
 * Fair warning: This applies no validation whatsoever, and
 * simply concatenates the sources in their logical order.
 */
const stringify = (cst) => 'type' in cst ? stringifyToken(cst) : stringifyItem(cst);
function stringifyToken(token) {
    switch (token.type) {
        case 'block-scalar': {
            let res = '';
            for (const tok of token.props)
                res += stringifyToken(tok);
            return res + token.source;
        }
        case 'block-map':
        case 'block-seq': {
            let res = '';
            for (const item of token.items)
                res += stringifyItem(item);
            return res;
        }
        case 'flow-collection': {
            let res = token.start.source;
            for (const item of token.items)
                res += stringifyItem(item);
            for (const st of token.end)
                res += st.source;
            return res;
        }
        case 'document': {
            let res = stringifyItem(token);
            if (token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
        default: {
            let res = token.source;
            if ('end' in token && token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
    }
}
function stringifyItem({ start, key, sep, value }) {
    let res = '';
    for (const st of start)
        res += st.source;
    if (key)
        res += stringifyToken(key);
    if (sep)
        for (const st of sep)
            res += st.source;
    if (value)
        res += stringifyToken(value);
    return res;
}

exports.stringify = stringify;


/***/ }),

/***/ 7715:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove item');
/**
 * Apply a visitor to a CST document or item.
 *
 * Walks through the tree (depth-first) starting from the root, calling a
 * `visitor` function with two arguments when entering each item:
 *   - `item`: The current item, which included the following members:
 *     - `start: SourceToken[]` – Source tokens before the key or value,
 *       possibly including its anchor or tag.
 *     - `key?: Token | null` – Set for pair values. May then be `null`, if
 *       the key before the `:` separator is empty.
 *     - `sep?: SourceToken[]` – Source tokens between the key and the value,
 *       which should include the `:` map value indicator if `value` is set.
 *     - `value?: Token` – The value of a sequence item, or of a map pair.
 *   - `path`: The steps from the root to the current node, as an array of
 *     `['key' | 'value', number]` tuples.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this token, continue with
 *      next sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current item, then continue with the next one
 *   - `number`: Set the index of the next step. This is useful especially if
 *     the index of the current token has changed.
 *   - `function`: Define the next visitor for this item. After the original
 *     visitor is called on item entry, next visitors are called after handling
 *     a non-empty `key` and when exiting the item.
 */
function visit(cst, visitor) {
    if ('type' in cst && cst.type === 'document')
        cst = { start: cst.start, value: cst.value };
    _visit(Object.freeze([]), cst, visitor);
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current item */
visit.SKIP = SKIP;
/** Remove the current item */
visit.REMOVE = REMOVE;
/** Find the item at `path` from `cst` as the root */
visit.itemAtPath = (cst, path) => {
    let item = cst;
    for (const [field, index] of path) {
        const tok = item?.[field];
        if (tok && 'items' in tok) {
            item = tok.items[index];
        }
        else
            return undefined;
    }
    return item;
};
/**
 * Get the immediate parent collection of the item at `path` from `cst` as the root.
 *
 * Throws an error if the collection is not found, which should never happen if the item itself exists.
 */
visit.parentCollection = (cst, path) => {
    const parent = visit.itemAtPath(cst, path.slice(0, -1));
    const field = path[path.length - 1][0];
    const coll = parent?.[field];
    if (coll && 'items' in coll)
        return coll;
    throw new Error('Parent collection not found');
};
function _visit(path, item, visitor) {
    let ctrl = visitor(item, path);
    if (typeof ctrl === 'symbol')
        return ctrl;
    for (const field of ['key', 'value']) {
        const token = item[field];
        if (token && 'items' in token) {
            for (let i = 0; i < token.items.length; ++i) {
                const ci = _visit(Object.freeze(path.concat([[field, i]])), token.items[i], visitor);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    token.items.splice(i, 1);
                    i -= 1;
                }
            }
            if (typeof ctrl === 'function' && field === 'key')
                ctrl = ctrl(item, path);
        }
    }
    return typeof ctrl === 'function' ? ctrl(item, path) : ctrl;
}

exports.visit = visit;


/***/ }),

/***/ 3461:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var cstScalar = __nccwpck_require__(110);
var cstStringify = __nccwpck_require__(1733);
var cstVisit = __nccwpck_require__(7715);

/** The byte order mark */
const BOM = '\u{FEFF}';
/** Start of doc-mode */
const DOCUMENT = '\x02'; // C0: Start of Text
/** Unexpected end of flow-mode */
const FLOW_END = '\x18'; // C0: Cancel
/** Next token is a scalar value */
const SCALAR = '\x1f'; // C0: Unit Separator
/** @returns `true` if `token` is a flow or block collection */
const isCollection = (token) => !!token && 'items' in token;
/** @returns `true` if `token` is a flow or block scalar; not an alias */
const isScalar = (token) => !!token &&
    (token.type === 'scalar' ||
        token.type === 'single-quoted-scalar' ||
        token.type === 'double-quoted-scalar' ||
        token.type === 'block-scalar');
/* istanbul ignore next */
/** Get a printable representation of a lexer token */
function prettyToken(token) {
    switch (token) {
        case BOM:
            return '<BOM>';
        case DOCUMENT:
            return '<DOC>';
        case FLOW_END:
            return '<FLOW_END>';
        case SCALAR:
            return '<SCALAR>';
        default:
            return JSON.stringify(token);
    }
}
/** Identify the type of a lexer token. May return `null` for unknown tokens. */
function tokenType(source) {
    switch (source) {
        case BOM:
            return 'byte-order-mark';
        case DOCUMENT:
            return 'doc-mode';
        case FLOW_END:
            return 'flow-error-end';
        case SCALAR:
            return 'scalar';
        case '---':
            return 'doc-start';
        case '...':
            return 'doc-end';
        case '':
        case '\n':
        case '\r\n':
            return 'newline';
        case '-':
            return 'seq-item-ind';
        case '?':
            return 'explicit-key-ind';
        case ':':
            return 'map-value-ind';
        case '{':
            return 'flow-map-start';
        case '}':
            return 'flow-map-end';
        case '[':
            return 'flow-seq-start';
        case ']':
            return 'flow-seq-end';
        case ',':
            return 'comma';
    }
    switch (source[0]) {
        case ' ':
        case '\t':
            return 'space';
        case '#':
            return 'comment';
        case '%':
            return 'directive-line';
        case '*':
            return 'alias';
        case '&':
            return 'anchor';
        case '!':
            return 'tag';
        case "'":
            return 'single-quoted-scalar';
        case '"':
            return 'double-quoted-scalar';
        case '|':
        case '>':
            return 'block-scalar-header';
    }
    return null;
}

exports.createScalarToken = cstScalar.createScalarToken;
exports.resolveAsScalar = cstScalar.resolveAsScalar;
exports.setScalarValue = cstScalar.setScalarValue;
exports.stringify = cstStringify.stringify;
exports.visit = cstVisit.visit;
exports.BOM = BOM;
exports.DOCUMENT = DOCUMENT;
exports.FLOW_END = FLOW_END;
exports.SCALAR = SCALAR;
exports.isCollection = isCollection;
exports.isScalar = isScalar;
exports.prettyToken = prettyToken;
exports.tokenType = tokenType;


/***/ }),

/***/ 361:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var cst = __nccwpck_require__(3461);

/*
START -> stream

stream
  directive -> line-end -> stream
  indent + line-end -> stream
  [else] -> line-start

line-end
  comment -> line-end
  newline -> .
  input-end -> END

line-start
  doc-start -> doc
  doc-end -> stream
  [else] -> indent -> block-start

block-start
  seq-item-start -> block-start
  explicit-key-start -> block-start
  map-value-start -> block-start
  [else] -> doc

doc
  line-end -> line-start
  spaces -> doc
  anchor -> doc
  tag -> doc
  flow-start -> flow -> doc
  flow-end -> error -> doc
  seq-item-start -> error -> doc
  explicit-key-start -> error -> doc
  map-value-start -> doc
  alias -> doc
  quote-start -> quoted-scalar -> doc
  block-scalar-header -> line-end -> block-scalar(min) -> line-start
  [else] -> plain-scalar(false, min) -> doc

flow
  line-end -> flow
  spaces -> flow
  anchor -> flow
  tag -> flow
  flow-start -> flow -> flow
  flow-end -> .
  seq-item-start -> error -> flow
  explicit-key-start -> flow
  map-value-start -> flow
  alias -> flow
  quote-start -> quoted-scalar -> flow
  comma -> flow
  [else] -> plain-scalar(true, 0) -> flow

quoted-scalar
  quote-end -> .
  [else] -> quoted-scalar

block-scalar(min)
  newline + peek(indent < min) -> .
  [else] -> block-scalar(min)

plain-scalar(is-flow, min)
  scalar-end(is-flow) -> .
  peek(newline + (indent < min)) -> .
  [else] -> plain-scalar(min)
*/
function isEmpty(ch) {
    switch (ch) {
        case undefined:
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            return true;
        default:
            return false;
    }
}
const hexDigits = new Set('0123456789ABCDEFabcdef');
const tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
const flowIndicatorChars = new Set(',[]{}');
const invalidAnchorChars = new Set(' ,[]{}\n\r\t');
const isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
/**
 * Splits an input string into lexical tokens, i.e. smaller strings that are
 * easily identifiable by `tokens.tokenType()`.
 *
 * Lexing starts always in a "stream" context. Incomplete input may be buffered
 * until a complete token can be emitted.
 *
 * In addition to slices of the original input, the following control characters
 * may also be emitted:
 *
 * - `\x02` (Start of Text): A document starts with the next token
 * - `\x18` (Cancel): Unexpected end of flow-mode (indicates an error)
 * - `\x1f` (Unit Separator): Next token is a scalar value
 * - `\u{FEFF}` (Byte order mark): Emitted separately outside documents
 */
class Lexer {
    constructor() {
        /**
         * Flag indicating whether the end of the current buffer marks the end of
         * all input
         */
        this.atEnd = false;
        /**
         * Explicit indent set in block scalar header, as an offset from the current
         * minimum indent, so e.g. set to 1 from a header `|2+`. Set to -1 if not
         * explicitly set.
         */
        this.blockScalarIndent = -1;
        /**
         * Block scalars that include a + (keep) chomping indicator in their header
         * include trailing empty lines, which are otherwise excluded from the
         * scalar's contents.
         */
        this.blockScalarKeep = false;
        /** Current input */
        this.buffer = '';
        /**
         * Flag noting whether the map value indicator : can immediately follow this
         * node within a flow context.
         */
        this.flowKey = false;
        /** Count of surrounding flow collection levels. */
        this.flowLevel = 0;
        /**
         * Minimum level of indentation required for next lines to be parsed as a
         * part of the current scalar value.
         */
        this.indentNext = 0;
        /** Indentation level of the current line. */
        this.indentValue = 0;
        /** Position of the next \n character. */
        this.lineEndPos = null;
        /** Stores the state of the lexer if reaching the end of incpomplete input */
        this.next = null;
        /** A pointer to `buffer`; the current position of the lexer. */
        this.pos = 0;
    }
    /**
     * Generate YAML tokens from the `source` string. If `incomplete`,
     * a part of the last line may be left as a buffer for the next call.
     *
     * @returns A generator of lexical tokens
     */
    *lex(source, incomplete = false) {
        if (source) {
            if (typeof source !== 'string')
                throw TypeError('source is not a string');
            this.buffer = this.buffer ? this.buffer + source : source;
            this.lineEndPos = null;
        }
        this.atEnd = !incomplete;
        let next = this.next ?? 'stream';
        while (next && (incomplete || this.hasChars(1)))
            next = yield* this.parseNext(next);
    }
    atLineEnd() {
        let i = this.pos;
        let ch = this.buffer[i];
        while (ch === ' ' || ch === '\t')
            ch = this.buffer[++i];
        if (!ch || ch === '#' || ch === '\n')
            return true;
        if (ch === '\r')
            return this.buffer[i + 1] === '\n';
        return false;
    }
    charAt(n) {
        return this.buffer[this.pos + n];
    }
    continueScalar(offset) {
        let ch = this.buffer[offset];
        if (this.indentNext > 0) {
            let indent = 0;
            while (ch === ' ')
                ch = this.buffer[++indent + offset];
            if (ch === '\r') {
                const next = this.buffer[indent + offset + 1];
                if (next === '\n' || (!next && !this.atEnd))
                    return offset + indent + 1;
            }
            return ch === '\n' || indent >= this.indentNext || (!ch && !this.atEnd)
                ? offset + indent
                : -1;
        }
        if (ch === '-' || ch === '.') {
            const dt = this.buffer.substr(offset, 3);
            if ((dt === '---' || dt === '...') && isEmpty(this.buffer[offset + 3]))
                return -1;
        }
        return offset;
    }
    getLine() {
        let end = this.lineEndPos;
        if (typeof end !== 'number' || (end !== -1 && end < this.pos)) {
            end = this.buffer.indexOf('\n', this.pos);
            this.lineEndPos = end;
        }
        if (end === -1)
            return this.atEnd ? this.buffer.substring(this.pos) : null;
        if (this.buffer[end - 1] === '\r')
            end -= 1;
        return this.buffer.substring(this.pos, end);
    }
    hasChars(n) {
        return this.pos + n <= this.buffer.length;
    }
    setNext(state) {
        this.buffer = this.buffer.substring(this.pos);
        this.pos = 0;
        this.lineEndPos = null;
        this.next = state;
        return null;
    }
    peek(n) {
        return this.buffer.substr(this.pos, n);
    }
    *parseNext(next) {
        switch (next) {
            case 'stream':
                return yield* this.parseStream();
            case 'line-start':
                return yield* this.parseLineStart();
            case 'block-start':
                return yield* this.parseBlockStart();
            case 'doc':
                return yield* this.parseDocument();
            case 'flow':
                return yield* this.parseFlowCollection();
            case 'quoted-scalar':
                return yield* this.parseQuotedScalar();
            case 'block-scalar':
                return yield* this.parseBlockScalar();
            case 'plain-scalar':
                return yield* this.parsePlainScalar();
        }
    }
    *parseStream() {
        let line = this.getLine();
        if (line === null)
            return this.setNext('stream');
        if (line[0] === cst.BOM) {
            yield* this.pushCount(1);
            line = line.substring(1);
        }
        if (line[0] === '%') {
            let dirEnd = line.length;
            let cs = line.indexOf('#');
            while (cs !== -1) {
                const ch = line[cs - 1];
                if (ch === ' ' || ch === '\t') {
                    dirEnd = cs - 1;
                    break;
                }
                else {
                    cs = line.indexOf('#', cs + 1);
                }
            }
            while (true) {
                const ch = line[dirEnd - 1];
                if (ch === ' ' || ch === '\t')
                    dirEnd -= 1;
                else
                    break;
            }
            const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
            yield* this.pushCount(line.length - n); // possible comment
            this.pushNewline();
            return 'stream';
        }
        if (this.atLineEnd()) {
            const sp = yield* this.pushSpaces(true);
            yield* this.pushCount(line.length - sp);
            yield* this.pushNewline();
            return 'stream';
        }
        yield cst.DOCUMENT;
        return yield* this.parseLineStart();
    }
    *parseLineStart() {
        const ch = this.charAt(0);
        if (!ch && !this.atEnd)
            return this.setNext('line-start');
        if (ch === '-' || ch === '.') {
            if (!this.atEnd && !this.hasChars(4))
                return this.setNext('line-start');
            const s = this.peek(3);
            if ((s === '---' || s === '...') && isEmpty(this.charAt(3))) {
                yield* this.pushCount(3);
                this.indentValue = 0;
                this.indentNext = 0;
                return s === '---' ? 'doc' : 'stream';
            }
        }
        this.indentValue = yield* this.pushSpaces(false);
        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
            this.indentNext = this.indentValue;
        return yield* this.parseBlockStart();
    }
    *parseBlockStart() {
        const [ch0, ch1] = this.peek(2);
        if (!ch1 && !this.atEnd)
            return this.setNext('block-start');
        if ((ch0 === '-' || ch0 === '?' || ch0 === ':') && isEmpty(ch1)) {
            const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
            this.indentNext = this.indentValue + 1;
            this.indentValue += n;
            return 'block-start';
        }
        return 'doc';
    }
    *parseDocument() {
        yield* this.pushSpaces(true);
        const line = this.getLine();
        if (line === null)
            return this.setNext('doc');
        let n = yield* this.pushIndicators();
        switch (line[n]) {
            case '#':
                yield* this.pushCount(line.length - n);
            // fallthrough
            case undefined:
                yield* this.pushNewline();
                return yield* this.parseLineStart();
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel = 1;
                return 'flow';
            case '}':
            case ']':
                // this is an error
                yield* this.pushCount(1);
                return 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'doc';
            case '"':
            case "'":
                return yield* this.parseQuotedScalar();
            case '|':
            case '>':
                n += yield* this.parseBlockScalarHeader();
                n += yield* this.pushSpaces(true);
                yield* this.pushCount(line.length - n);
                yield* this.pushNewline();
                return yield* this.parseBlockScalar();
            default:
                return yield* this.parsePlainScalar();
        }
    }
    *parseFlowCollection() {
        let nl, sp;
        let indent = -1;
        do {
            nl = yield* this.pushNewline();
            if (nl > 0) {
                sp = yield* this.pushSpaces(false);
                this.indentValue = indent = sp;
            }
            else {
                sp = 0;
            }
            sp += yield* this.pushSpaces(true);
        } while (nl + sp > 0);
        const line = this.getLine();
        if (line === null)
            return this.setNext('flow');
        if ((indent !== -1 && indent < this.indentNext && line[0] !== '#') ||
            (indent === 0 &&
                (line.startsWith('---') || line.startsWith('...')) &&
                isEmpty(line[3]))) {
            // Allowing for the terminal ] or } at the same (rather than greater)
            // indent level as the initial [ or { is technically invalid, but
            // failing here would be surprising to users.
            const atFlowEndMarker = indent === this.indentNext - 1 &&
                this.flowLevel === 1 &&
                (line[0] === ']' || line[0] === '}');
            if (!atFlowEndMarker) {
                // this is an error
                this.flowLevel = 0;
                yield cst.FLOW_END;
                return yield* this.parseLineStart();
            }
        }
        let n = 0;
        while (line[n] === ',') {
            n += yield* this.pushCount(1);
            n += yield* this.pushSpaces(true);
            this.flowKey = false;
        }
        n += yield* this.pushIndicators();
        switch (line[n]) {
            case undefined:
                return 'flow';
            case '#':
                yield* this.pushCount(line.length - n);
                return 'flow';
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel += 1;
                return 'flow';
            case '}':
            case ']':
                yield* this.pushCount(1);
                this.flowKey = true;
                this.flowLevel -= 1;
                return this.flowLevel ? 'flow' : 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'flow';
            case '"':
            case "'":
                this.flowKey = true;
                return yield* this.parseQuotedScalar();
            case ':': {
                const next = this.charAt(1);
                if (this.flowKey || isEmpty(next) || next === ',') {
                    this.flowKey = false;
                    yield* this.pushCount(1);
                    yield* this.pushSpaces(true);
                    return 'flow';
                }
            }
            // fallthrough
            default:
                this.flowKey = false;
                return yield* this.parsePlainScalar();
        }
    }
    *parseQuotedScalar() {
        const quote = this.charAt(0);
        let end = this.buffer.indexOf(quote, this.pos + 1);
        if (quote === "'") {
            while (end !== -1 && this.buffer[end + 1] === "'")
                end = this.buffer.indexOf("'", end + 2);
        }
        else {
            // double-quote
            while (end !== -1) {
                let n = 0;
                while (this.buffer[end - 1 - n] === '\\')
                    n += 1;
                if (n % 2 === 0)
                    break;
                end = this.buffer.indexOf('"', end + 1);
            }
        }
        // Only looking for newlines within the quotes
        const qb = this.buffer.substring(0, end);
        let nl = qb.indexOf('\n', this.pos);
        if (nl !== -1) {
            while (nl !== -1) {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = qb.indexOf('\n', cs);
            }
            if (nl !== -1) {
                // this is an error caused by an unexpected unindent
                end = nl - (qb[nl - 1] === '\r' ? 2 : 1);
            }
        }
        if (end === -1) {
            if (!this.atEnd)
                return this.setNext('quoted-scalar');
            end = this.buffer.length;
        }
        yield* this.pushToIndex(end + 1, false);
        return this.flowLevel ? 'flow' : 'doc';
    }
    *parseBlockScalarHeader() {
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        let i = this.pos;
        while (true) {
            const ch = this.buffer[++i];
            if (ch === '+')
                this.blockScalarKeep = true;
            else if (ch > '0' && ch <= '9')
                this.blockScalarIndent = Number(ch) - 1;
            else if (ch !== '-')
                break;
        }
        return yield* this.pushUntil(ch => isEmpty(ch) || ch === '#');
    }
    *parseBlockScalar() {
        let nl = this.pos - 1; // may be -1 if this.pos === 0
        let indent = 0;
        let ch;
        loop: for (let i = this.pos; (ch = this.buffer[i]); ++i) {
            switch (ch) {
                case ' ':
                    indent += 1;
                    break;
                case '\n':
                    nl = i;
                    indent = 0;
                    break;
                case '\r': {
                    const next = this.buffer[i + 1];
                    if (!next && !this.atEnd)
                        return this.setNext('block-scalar');
                    if (next === '\n')
                        break;
                } // fallthrough
                default:
                    break loop;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('block-scalar');
        if (indent >= this.indentNext) {
            if (this.blockScalarIndent === -1)
                this.indentNext = indent;
            else {
                this.indentNext =
                    this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
            }
            do {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = this.buffer.indexOf('\n', cs);
            } while (nl !== -1);
            if (nl === -1) {
                if (!this.atEnd)
                    return this.setNext('block-scalar');
                nl = this.buffer.length;
            }
        }
        // Trailing insufficiently indented tabs are invalid.
        // To catch that during parsing, we include them in the block scalar value.
        let i = nl + 1;
        ch = this.buffer[i];
        while (ch === ' ')
            ch = this.buffer[++i];
        if (ch === '\t') {
            while (ch === '\t' || ch === ' ' || ch === '\r' || ch === '\n')
                ch = this.buffer[++i];
            nl = i - 1;
        }
        else if (!this.blockScalarKeep) {
            do {
                let i = nl - 1;
                let ch = this.buffer[i];
                if (ch === '\r')
                    ch = this.buffer[--i];
                const lastChar = i; // Drop the line if last char not more indented
                while (ch === ' ')
                    ch = this.buffer[--i];
                if (ch === '\n' && i >= this.pos && i + 1 + indent > lastChar)
                    nl = i;
                else
                    break;
            } while (true);
        }
        yield cst.SCALAR;
        yield* this.pushToIndex(nl + 1, true);
        return yield* this.parseLineStart();
    }
    *parsePlainScalar() {
        const inFlow = this.flowLevel > 0;
        let end = this.pos - 1;
        let i = this.pos - 1;
        let ch;
        while ((ch = this.buffer[++i])) {
            if (ch === ':') {
                const next = this.buffer[i + 1];
                if (isEmpty(next) || (inFlow && flowIndicatorChars.has(next)))
                    break;
                end = i;
            }
            else if (isEmpty(ch)) {
                let next = this.buffer[i + 1];
                if (ch === '\r') {
                    if (next === '\n') {
                        i += 1;
                        ch = '\n';
                        next = this.buffer[i + 1];
                    }
                    else
                        end = i;
                }
                if (next === '#' || (inFlow && flowIndicatorChars.has(next)))
                    break;
                if (ch === '\n') {
                    const cs = this.continueScalar(i + 1);
                    if (cs === -1)
                        break;
                    i = Math.max(i, cs - 2); // to advance, but still account for ' #'
                }
            }
            else {
                if (inFlow && flowIndicatorChars.has(ch))
                    break;
                end = i;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('plain-scalar');
        yield cst.SCALAR;
        yield* this.pushToIndex(end + 1, true);
        return inFlow ? 'flow' : 'doc';
    }
    *pushCount(n) {
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos += n;
            return n;
        }
        return 0;
    }
    *pushToIndex(i, allowEmpty) {
        const s = this.buffer.slice(this.pos, i);
        if (s) {
            yield s;
            this.pos += s.length;
            return s.length;
        }
        else if (allowEmpty)
            yield '';
        return 0;
    }
    *pushIndicators() {
        let n = 0;
        loop: while (true) {
            switch (this.charAt(0)) {
                case '!':
                    n += yield* this.pushTag();
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '&':
                    n += yield* this.pushUntil(isNotAnchorChar);
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '-': // this is an error
                case '?': // this is an error outside flow collections
                case ':': {
                    const inFlow = this.flowLevel > 0;
                    const ch1 = this.charAt(1);
                    if (isEmpty(ch1) || (inFlow && flowIndicatorChars.has(ch1))) {
                        if (!inFlow)
                            this.indentNext = this.indentValue + 1;
                        else if (this.flowKey)
                            this.flowKey = false;
                        n += yield* this.pushCount(1);
                        n += yield* this.pushSpaces(true);
                        continue loop;
                    }
                }
            }
            break loop;
        }
        return n;
    }
    *pushTag() {
        if (this.charAt(1) === '<') {
            let i = this.pos + 2;
            let ch = this.buffer[i];
            while (!isEmpty(ch) && ch !== '>')
                ch = this.buffer[++i];
            return yield* this.pushToIndex(ch === '>' ? i + 1 : i, false);
        }
        else {
            let i = this.pos + 1;
            let ch = this.buffer[i];
            while (ch) {
                if (tagChars.has(ch))
                    ch = this.buffer[++i];
                else if (ch === '%' &&
                    hexDigits.has(this.buffer[i + 1]) &&
                    hexDigits.has(this.buffer[i + 2])) {
                    ch = this.buffer[(i += 3)];
                }
                else
                    break;
            }
            return yield* this.pushToIndex(i, false);
        }
    }
    *pushNewline() {
        const ch = this.buffer[this.pos];
        if (ch === '\n')
            return yield* this.pushCount(1);
        else if (ch === '\r' && this.charAt(1) === '\n')
            return yield* this.pushCount(2);
        else
            return 0;
    }
    *pushSpaces(allowTabs) {
        let i = this.pos - 1;
        let ch;
        do {
            ch = this.buffer[++i];
        } while (ch === ' ' || (allowTabs && ch === '\t'));
        const n = i - this.pos;
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos = i;
        }
        return n;
    }
    *pushUntil(test) {
        let i = this.pos;
        let ch = this.buffer[i];
        while (!test(ch))
            ch = this.buffer[++i];
        return yield* this.pushToIndex(i, false);
    }
}

exports.Lexer = Lexer;


/***/ }),

/***/ 6628:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


/**
 * Tracks newlines during parsing in order to provide an efficient API for
 * determining the one-indexed `{ line, col }` position for any offset
 * within the input.
 */
class LineCounter {
    constructor() {
        this.lineStarts = [];
        /**
         * Should be called in ascending order. Otherwise, call
         * `lineCounter.lineStarts.sort()` before calling `linePos()`.
         */
        this.addNewLine = (offset) => this.lineStarts.push(offset);
        /**
         * Performs a binary search and returns the 1-indexed { line, col }
         * position of `offset`. If `line === 0`, `addNewLine` has never been
         * called or `offset` is before the first known newline.
         */
        this.linePos = (offset) => {
            let low = 0;
            let high = this.lineStarts.length;
            while (low < high) {
                const mid = (low + high) >> 1; // Math.floor((low + high) / 2)
                if (this.lineStarts[mid] < offset)
                    low = mid + 1;
                else
                    high = mid;
            }
            if (this.lineStarts[low] === offset)
                return { line: low + 1, col: 1 };
            if (low === 0)
                return { line: 0, col: offset };
            const start = this.lineStarts[low - 1];
            return { line: low, col: offset - start + 1 };
        };
    }
}

exports.LineCounter = LineCounter;


/***/ }),

/***/ 3456:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var node_process = __nccwpck_require__(932);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);

function includesToken(list, type) {
    for (let i = 0; i < list.length; ++i)
        if (list[i].type === type)
            return true;
    return false;
}
function findNonEmptyIndex(list) {
    for (let i = 0; i < list.length; ++i) {
        switch (list[i].type) {
            case 'space':
            case 'comment':
            case 'newline':
                break;
            default:
                return i;
        }
    }
    return -1;
}
function isFlowToken(token) {
    switch (token?.type) {
        case 'alias':
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'flow-collection':
            return true;
        default:
            return false;
    }
}
function getPrevProps(parent) {
    switch (parent.type) {
        case 'document':
            return parent.start;
        case 'block-map': {
            const it = parent.items[parent.items.length - 1];
            return it.sep ?? it.start;
        }
        case 'block-seq':
            return parent.items[parent.items.length - 1].start;
        /* istanbul ignore next should not happen */
        default:
            return [];
    }
}
/** Note: May modify input array */
function getFirstKeyStartProps(prev) {
    if (prev.length === 0)
        return [];
    let i = prev.length;
    loop: while (--i >= 0) {
        switch (prev[i].type) {
            case 'doc-start':
            case 'explicit-key-ind':
            case 'map-value-ind':
            case 'seq-item-ind':
            case 'newline':
                break loop;
        }
    }
    while (prev[++i]?.type === 'space') {
        /* loop */
    }
    return prev.splice(i, prev.length);
}
function arrayPushArray(target, source) {
    // May exhaust call stack with large `source` array
    if (source.length < 1e5)
        Array.prototype.push.apply(target, source);
    else
        for (let i = 0; i < source.length; ++i)
            target.push(source[i]);
}
function fixFlowSeqItems(fc) {
    if (fc.start.type === 'flow-seq-start') {
        for (const it of fc.items) {
            if (it.sep &&
                !it.value &&
                !includesToken(it.start, 'explicit-key-ind') &&
                !includesToken(it.sep, 'map-value-ind')) {
                if (it.key)
                    it.value = it.key;
                delete it.key;
                if (isFlowToken(it.value)) {
                    if (it.value.end)
                        arrayPushArray(it.value.end, it.sep);
                    else
                        it.value.end = it.sep;
                }
                else
                    arrayPushArray(it.start, it.sep);
                delete it.sep;
            }
        }
    }
}
/**
 * A YAML concrete syntax tree (CST) parser
 *
 * ```ts
 * const src: string = ...
 * for (const token of new Parser().parse(src)) {
 *   // token: Token
 * }
 * ```
 *
 * To use the parser with a user-provided lexer:
 *
 * ```ts
 * function* parse(source: string, lexer: Lexer) {
 *   const parser = new Parser()
 *   for (const lexeme of lexer.lex(source))
 *     yield* parser.next(lexeme)
 *   yield* parser.end()
 * }
 *
 * const src: string = ...
 * const lexer = new Lexer()
 * for (const token of parse(src, lexer)) {
 *   // token: Token
 * }
 * ```
 */
class Parser {
    /**
     * @param onNewLine - If defined, called separately with the start position of
     *   each new line (in `parse()`, including the start of input).
     */
    constructor(onNewLine) {
        /** If true, space and sequence indicators count as indentation */
        this.atNewLine = true;
        /** If true, next token is a scalar value */
        this.atScalar = false;
        /** Current indentation level */
        this.indent = 0;
        /** Current offset since the start of parsing */
        this.offset = 0;
        /** On the same line with a block map key */
        this.onKeyLine = false;
        /** Top indicates the node that's currently being built */
        this.stack = [];
        /** The source of the current token, set in parse() */
        this.source = '';
        /** The type of the current token, set in parse() */
        this.type = '';
        // Must be defined after `next()`
        this.lexer = new lexer.Lexer();
        this.onNewLine = onNewLine;
    }
    /**
     * Parse `source` as a YAML stream.
     * If `incomplete`, a part of the last line may be left as a buffer for the next call.
     *
     * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
     *
     * @returns A generator of tokens representing each directive, document, and other structure.
     */
    *parse(source, incomplete = false) {
        if (this.onNewLine && this.offset === 0)
            this.onNewLine(0);
        for (const lexeme of this.lexer.lex(source, incomplete))
            yield* this.next(lexeme);
        if (!incomplete)
            yield* this.end();
    }
    /**
     * Advance the parser by the `source` of one lexical token.
     */
    *next(source) {
        this.source = source;
        if (node_process.env.LOG_TOKENS)
            console.log('|', cst.prettyToken(source));
        if (this.atScalar) {
            this.atScalar = false;
            yield* this.step();
            this.offset += source.length;
            return;
        }
        const type = cst.tokenType(source);
        if (!type) {
            const message = `Not a YAML token: ${source}`;
            yield* this.pop({ type: 'error', offset: this.offset, message, source });
            this.offset += source.length;
        }
        else if (type === 'scalar') {
            this.atNewLine = false;
            this.atScalar = true;
            this.type = 'scalar';
        }
        else {
            this.type = type;
            yield* this.step();
            switch (type) {
                case 'newline':
                    this.atNewLine = true;
                    this.indent = 0;
                    if (this.onNewLine)
                        this.onNewLine(this.offset + source.length);
                    break;
                case 'space':
                    if (this.atNewLine && source[0] === ' ')
                        this.indent += source.length;
                    break;
                case 'explicit-key-ind':
                case 'map-value-ind':
                case 'seq-item-ind':
                    if (this.atNewLine)
                        this.indent += source.length;
                    break;
                case 'doc-mode':
                case 'flow-error-end':
                    return;
                default:
                    this.atNewLine = false;
            }
            this.offset += source.length;
        }
    }
    /** Call at end of input to push out any remaining constructions */
    *end() {
        while (this.stack.length > 0)
            yield* this.pop();
    }
    get sourceToken() {
        const st = {
            type: this.type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
        return st;
    }
    *step() {
        const top = this.peek(1);
        if (this.type === 'doc-end' && top?.type !== 'doc-end') {
            while (this.stack.length > 0)
                yield* this.pop();
            this.stack.push({
                type: 'doc-end',
                offset: this.offset,
                source: this.source
            });
            return;
        }
        if (!top)
            return yield* this.stream();
        switch (top.type) {
            case 'document':
                return yield* this.document(top);
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return yield* this.scalar(top);
            case 'block-scalar':
                return yield* this.blockScalar(top);
            case 'block-map':
                return yield* this.blockMap(top);
            case 'block-seq':
                return yield* this.blockSequence(top);
            case 'flow-collection':
                return yield* this.flowCollection(top);
            case 'doc-end':
                return yield* this.documentEnd(top);
        }
        /* istanbul ignore next should not happen */
        yield* this.pop();
    }
    peek(n) {
        return this.stack[this.stack.length - n];
    }
    *pop(error) {
        const token = error ?? this.stack.pop();
        /* istanbul ignore if should not happen */
        if (!token) {
            const message = 'Tried to pop an empty stack';
            yield { type: 'error', offset: this.offset, source: '', message };
        }
        else if (this.stack.length === 0) {
            yield token;
        }
        else {
            const top = this.peek(1);
            if (token.type === 'block-scalar') {
                // Block scalars use their parent rather than header indent
                token.indent = 'indent' in top ? top.indent : 0;
            }
            else if (token.type === 'flow-collection' && top.type === 'document') {
                // Ignore all indent for top-level flow collections
                token.indent = 0;
            }
            if (token.type === 'flow-collection')
                fixFlowSeqItems(token);
            switch (top.type) {
                case 'document':
                    top.value = token;
                    break;
                case 'block-scalar':
                    top.props.push(token); // error
                    break;
                case 'block-map': {
                    const it = top.items[top.items.length - 1];
                    if (it.value) {
                        top.items.push({ start: [], key: token, sep: [] });
                        this.onKeyLine = true;
                        return;
                    }
                    else if (it.sep) {
                        it.value = token;
                    }
                    else {
                        Object.assign(it, { key: token, sep: [] });
                        this.onKeyLine = !it.explicitKey;
                        return;
                    }
                    break;
                }
                case 'block-seq': {
                    const it = top.items[top.items.length - 1];
                    if (it.value)
                        top.items.push({ start: [], value: token });
                    else
                        it.value = token;
                    break;
                }
                case 'flow-collection': {
                    const it = top.items[top.items.length - 1];
                    if (!it || it.value)
                        top.items.push({ start: [], key: token, sep: [] });
                    else if (it.sep)
                        it.value = token;
                    else
                        Object.assign(it, { key: token, sep: [] });
                    return;
                }
                /* istanbul ignore next should not happen */
                default:
                    yield* this.pop();
                    yield* this.pop(token);
            }
            if ((top.type === 'document' ||
                top.type === 'block-map' ||
                top.type === 'block-seq') &&
                (token.type === 'block-map' || token.type === 'block-seq')) {
                const last = token.items[token.items.length - 1];
                if (last &&
                    !last.sep &&
                    !last.value &&
                    last.start.length > 0 &&
                    findNonEmptyIndex(last.start) === -1 &&
                    (token.indent === 0 ||
                        last.start.every(st => st.type !== 'comment' || st.indent < token.indent))) {
                    if (top.type === 'document')
                        top.end = last.start;
                    else
                        top.items.push({ start: last.start });
                    token.items.splice(-1, 1);
                }
            }
        }
    }
    *stream() {
        switch (this.type) {
            case 'directive-line':
                yield { type: 'directive', offset: this.offset, source: this.source };
                return;
            case 'byte-order-mark':
            case 'space':
            case 'comment':
            case 'newline':
                yield this.sourceToken;
                return;
            case 'doc-mode':
            case 'doc-start': {
                const doc = {
                    type: 'document',
                    offset: this.offset,
                    start: []
                };
                if (this.type === 'doc-start')
                    doc.start.push(this.sourceToken);
                this.stack.push(doc);
                return;
            }
        }
        yield {
            type: 'error',
            offset: this.offset,
            message: `Unexpected ${this.type} token in YAML stream`,
            source: this.source
        };
    }
    *document(doc) {
        if (doc.value)
            return yield* this.lineEnd(doc);
        switch (this.type) {
            case 'doc-start': {
                if (findNonEmptyIndex(doc.start) !== -1) {
                    yield* this.pop();
                    yield* this.step();
                }
                else
                    doc.start.push(this.sourceToken);
                return;
            }
            case 'anchor':
            case 'tag':
            case 'space':
            case 'comment':
            case 'newline':
                doc.start.push(this.sourceToken);
                return;
        }
        const bv = this.startBlockValue(doc);
        if (bv)
            this.stack.push(bv);
        else {
            yield {
                type: 'error',
                offset: this.offset,
                message: `Unexpected ${this.type} token in YAML document`,
                source: this.source
            };
        }
    }
    *scalar(scalar) {
        if (this.type === 'map-value-ind') {
            const prev = getPrevProps(this.peek(2));
            const start = getFirstKeyStartProps(prev);
            let sep;
            if (scalar.end) {
                sep = scalar.end;
                sep.push(this.sourceToken);
                delete scalar.end;
            }
            else
                sep = [this.sourceToken];
            const map = {
                type: 'block-map',
                offset: scalar.offset,
                indent: scalar.indent,
                items: [{ start, key: scalar, sep }]
            };
            this.onKeyLine = true;
            this.stack[this.stack.length - 1] = map;
        }
        else
            yield* this.lineEnd(scalar);
    }
    *blockScalar(scalar) {
        switch (this.type) {
            case 'space':
            case 'comment':
            case 'newline':
                scalar.props.push(this.sourceToken);
                return;
            case 'scalar':
                scalar.source = this.source;
                // block-scalar source includes trailing newline
                this.atNewLine = true;
                this.indent = 0;
                if (this.onNewLine) {
                    let nl = this.source.indexOf('\n') + 1;
                    while (nl !== 0) {
                        this.onNewLine(this.offset + nl);
                        nl = this.source.indexOf('\n', nl) + 1;
                    }
                }
                yield* this.pop();
                break;
            /* istanbul ignore next should not happen */
            default:
                yield* this.pop();
                yield* this.step();
        }
    }
    *blockMap(map) {
        const it = map.items[map.items.length - 1];
        // it.sep is true-ish if pair already has key or : separator
        switch (this.type) {
            case 'newline':
                this.onKeyLine = false;
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    it.start.push(this.sourceToken);
                }
                return;
            case 'space':
            case 'comment':
                if (it.value) {
                    map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    if (this.atIndentedComment(it.start, map.indent)) {
                        const prev = map.items[map.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            map.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
        }
        if (this.indent >= map.indent) {
            const atMapIndent = !this.onKeyLine && this.indent === map.indent;
            const atNextItem = atMapIndent &&
                (it.sep || it.explicitKey) &&
                this.type !== 'seq-item-ind';
            // For empty nodes, assign newline-separated not indented empty tokens to following node
            let start = [];
            if (atNextItem && it.sep && !it.value) {
                const nl = [];
                for (let i = 0; i < it.sep.length; ++i) {
                    const st = it.sep[i];
                    switch (st.type) {
                        case 'newline':
                            nl.push(i);
                            break;
                        case 'space':
                            break;
                        case 'comment':
                            if (st.indent > map.indent)
                                nl.length = 0;
                            break;
                        default:
                            nl.length = 0;
                    }
                }
                if (nl.length >= 2)
                    start = it.sep.splice(nl[1]);
            }
            switch (this.type) {
                case 'anchor':
                case 'tag':
                    if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        it.sep.push(this.sourceToken);
                    }
                    else {
                        it.start.push(this.sourceToken);
                    }
                    return;
                case 'explicit-key-ind':
                    if (!it.sep && !it.explicitKey) {
                        it.start.push(this.sourceToken);
                        it.explicitKey = true;
                    }
                    else if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start, explicitKey: true });
                    }
                    else {
                        this.stack.push({
                            type: 'block-map',
                            offset: this.offset,
                            indent: this.indent,
                            items: [{ start: [this.sourceToken], explicitKey: true }]
                        });
                    }
                    this.onKeyLine = true;
                    return;
                case 'map-value-ind':
                    if (it.explicitKey) {
                        if (!it.sep) {
                            if (includesToken(it.start, 'newline')) {
                                Object.assign(it, { key: null, sep: [this.sourceToken] });
                            }
                            else {
                                const start = getFirstKeyStartProps(it.start);
                                this.stack.push({
                                    type: 'block-map',
                                    offset: this.offset,
                                    indent: this.indent,
                                    items: [{ start, key: null, sep: [this.sourceToken] }]
                                });
                            }
                        }
                        else if (it.value) {
                            map.items.push({ start: [], key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else if (isFlowToken(it.key) &&
                            !includesToken(it.sep, 'newline')) {
                            const start = getFirstKeyStartProps(it.start);
                            const key = it.key;
                            const sep = it.sep;
                            sep.push(this.sourceToken);
                            // @ts-expect-error type guard is wrong here
                            delete it.key;
                            // @ts-expect-error type guard is wrong here
                            delete it.sep;
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key, sep }]
                            });
                        }
                        else if (start.length > 0) {
                            // Not actually at next item
                            it.sep = it.sep.concat(start, this.sourceToken);
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    else {
                        if (!it.sep) {
                            Object.assign(it, { key: null, sep: [this.sourceToken] });
                        }
                        else if (it.value || atNextItem) {
                            map.items.push({ start, key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start: [], key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    this.onKeyLine = true;
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (atNextItem || it.value) {
                        map.items.push({ start, key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        this.stack.push(fs);
                    }
                    else {
                        Object.assign(it, { key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    return;
                }
                default: {
                    const bv = this.startBlockValue(map);
                    if (bv) {
                        if (bv.type === 'block-seq') {
                            if (!it.explicitKey &&
                                it.sep &&
                                !includesToken(it.sep, 'newline')) {
                                yield* this.pop({
                                    type: 'error',
                                    offset: this.offset,
                                    message: 'Unexpected block-seq-ind on same line with key',
                                    source: this.source
                                });
                                return;
                            }
                        }
                        else if (atMapIndent) {
                            map.items.push({ start });
                        }
                        this.stack.push(bv);
                        return;
                    }
                }
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *blockSequence(seq) {
        const it = seq.items[seq.items.length - 1];
        switch (this.type) {
            case 'newline':
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        seq.items.push({ start: [this.sourceToken] });
                }
                else
                    it.start.push(this.sourceToken);
                return;
            case 'space':
            case 'comment':
                if (it.value)
                    seq.items.push({ start: [this.sourceToken] });
                else {
                    if (this.atIndentedComment(it.start, seq.indent)) {
                        const prev = seq.items[seq.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            seq.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
            case 'anchor':
            case 'tag':
                if (it.value || this.indent <= seq.indent)
                    break;
                it.start.push(this.sourceToken);
                return;
            case 'seq-item-ind':
                if (this.indent !== seq.indent)
                    break;
                if (it.value || includesToken(it.start, 'seq-item-ind'))
                    seq.items.push({ start: [this.sourceToken] });
                else
                    it.start.push(this.sourceToken);
                return;
        }
        if (this.indent > seq.indent) {
            const bv = this.startBlockValue(seq);
            if (bv) {
                this.stack.push(bv);
                return;
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *flowCollection(fc) {
        const it = fc.items[fc.items.length - 1];
        if (this.type === 'flow-error-end') {
            let top;
            do {
                yield* this.pop();
                top = this.peek(1);
            } while (top?.type === 'flow-collection');
        }
        else if (fc.end.length === 0) {
            switch (this.type) {
                case 'comma':
                case 'explicit-key-ind':
                    if (!it || it.sep)
                        fc.items.push({ start: [this.sourceToken] });
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'map-value-ind':
                    if (!it || it.value)
                        fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        Object.assign(it, { key: null, sep: [this.sourceToken] });
                    return;
                case 'space':
                case 'comment':
                case 'newline':
                case 'anchor':
                case 'tag':
                    if (!it || it.value)
                        fc.items.push({ start: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (!it || it.value)
                        fc.items.push({ start: [], key: fs, sep: [] });
                    else if (it.sep)
                        this.stack.push(fs);
                    else
                        Object.assign(it, { key: fs, sep: [] });
                    return;
                }
                case 'flow-map-end':
                case 'flow-seq-end':
                    fc.end.push(this.sourceToken);
                    return;
            }
            const bv = this.startBlockValue(fc);
            /* istanbul ignore else should not happen */
            if (bv)
                this.stack.push(bv);
            else {
                yield* this.pop();
                yield* this.step();
            }
        }
        else {
            const parent = this.peek(2);
            if (parent.type === 'block-map' &&
                ((this.type === 'map-value-ind' && parent.indent === fc.indent) ||
                    (this.type === 'newline' &&
                        !parent.items[parent.items.length - 1].sep))) {
                yield* this.pop();
                yield* this.step();
            }
            else if (this.type === 'map-value-ind' &&
                parent.type !== 'flow-collection') {
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                fixFlowSeqItems(fc);
                const sep = fc.end.splice(1, fc.end.length);
                sep.push(this.sourceToken);
                const map = {
                    type: 'block-map',
                    offset: fc.offset,
                    indent: fc.indent,
                    items: [{ start, key: fc, sep }]
                };
                this.onKeyLine = true;
                this.stack[this.stack.length - 1] = map;
            }
            else {
                yield* this.lineEnd(fc);
            }
        }
    }
    flowScalar(type) {
        if (this.onNewLine) {
            let nl = this.source.indexOf('\n') + 1;
            while (nl !== 0) {
                this.onNewLine(this.offset + nl);
                nl = this.source.indexOf('\n', nl) + 1;
            }
        }
        return {
            type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
    }
    startBlockValue(parent) {
        switch (this.type) {
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return this.flowScalar(this.type);
            case 'block-scalar-header':
                return {
                    type: 'block-scalar',
                    offset: this.offset,
                    indent: this.indent,
                    props: [this.sourceToken],
                    source: ''
                };
            case 'flow-map-start':
            case 'flow-seq-start':
                return {
                    type: 'flow-collection',
                    offset: this.offset,
                    indent: this.indent,
                    start: this.sourceToken,
                    items: [],
                    end: []
                };
            case 'seq-item-ind':
                return {
                    type: 'block-seq',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: [this.sourceToken] }]
                };
            case 'explicit-key-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                start.push(this.sourceToken);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, explicitKey: true }]
                };
            }
            case 'map-value-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, key: null, sep: [this.sourceToken] }]
                };
            }
        }
        return null;
    }
    atIndentedComment(start, indent) {
        if (this.type !== 'comment')
            return false;
        if (this.indent <= indent)
            return false;
        return start.every(st => st.type === 'newline' || st.type === 'space');
    }
    *documentEnd(docEnd) {
        if (this.type !== 'doc-mode') {
            if (docEnd.end)
                docEnd.end.push(this.sourceToken);
            else
                docEnd.end = [this.sourceToken];
            if (this.type === 'newline')
                yield* this.pop();
        }
    }
    *lineEnd(token) {
        switch (this.type) {
            case 'comma':
            case 'doc-start':
            case 'doc-end':
            case 'flow-seq-end':
            case 'flow-map-end':
            case 'map-value-ind':
                yield* this.pop();
                yield* this.step();
                break;
            case 'newline':
                this.onKeyLine = false;
            // fallthrough
            case 'space':
            case 'comment':
            default:
                // all other values are errors
                if (token.end)
                    token.end.push(this.sourceToken);
                else
                    token.end = [this.sourceToken];
                if (this.type === 'newline')
                    yield* this.pop();
        }
    }
}

exports.Parser = Parser;


/***/ }),

/***/ 4047:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var log = __nccwpck_require__(7249);
var identity = __nccwpck_require__(1127);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);

function parseOptions(options) {
    const prettyErrors = options.prettyErrors !== false;
    const lineCounter$1 = options.lineCounter || (prettyErrors && new lineCounter.LineCounter()) || null;
    return { lineCounter: lineCounter$1, prettyErrors };
}
/**
 * Parse the input as a stream of YAML documents.
 *
 * Documents should be separated from each other by `...` or `---` marker lines.
 *
 * @returns If an empty `docs` array is returned, it will be of type
 *   EmptyStream and contain additional stream information. In
 *   TypeScript, you should use `'empty' in docs` as a type guard for it.
 */
function parseAllDocuments(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    const docs = Array.from(composer$1.compose(parser$1.parse(source)));
    if (prettyErrors && lineCounter)
        for (const doc of docs) {
            doc.errors.forEach(errors.prettifyError(source, lineCounter));
            doc.warnings.forEach(errors.prettifyError(source, lineCounter));
        }
    if (docs.length > 0)
        return docs;
    return Object.assign([], { empty: true }, composer$1.streamInfo());
}
/** Parse an input string into a single YAML.Document */
function parseDocument(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    // `doc` is always set by compose.end(true) at the very latest
    let doc = null;
    for (const _doc of composer$1.compose(parser$1.parse(source), true, source.length)) {
        if (!doc)
            doc = _doc;
        else if (doc.options.logLevel !== 'silent') {
            doc.errors.push(new errors.YAMLParseError(_doc.range.slice(0, 2), 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
            break;
        }
    }
    if (prettyErrors && lineCounter) {
        doc.errors.forEach(errors.prettifyError(source, lineCounter));
        doc.warnings.forEach(errors.prettifyError(source, lineCounter));
    }
    return doc;
}
function parse(src, reviver, options) {
    let _reviver = undefined;
    if (typeof reviver === 'function') {
        _reviver = reviver;
    }
    else if (options === undefined && reviver && typeof reviver === 'object') {
        options = reviver;
    }
    const doc = parseDocument(src, options);
    if (!doc)
        return null;
    doc.warnings.forEach(warning => log.warn(doc.options.logLevel, warning));
    if (doc.errors.length > 0) {
        if (doc.options.logLevel !== 'silent')
            throw doc.errors[0];
        else
            doc.errors = [];
    }
    return doc.toJS(Object.assign({ reviver: _reviver }, options));
}
function stringify(value, replacer, options) {
    let _replacer = null;
    if (typeof replacer === 'function' || Array.isArray(replacer)) {
        _replacer = replacer;
    }
    else if (options === undefined && replacer) {
        options = replacer;
    }
    if (typeof options === 'string')
        options = options.length;
    if (typeof options === 'number') {
        const indent = Math.round(options);
        options = indent < 1 ? undefined : indent > 8 ? { indent: 8 } : { indent };
    }
    if (value === undefined) {
        const { keepUndefined } = options ?? replacer ?? {};
        if (!keepUndefined)
            return undefined;
    }
    if (identity.isDocument(value) && !_replacer)
        return value.toString(options);
    return new Document.Document(value, _replacer, options).toString(options);
}

exports.parse = parse;
exports.parseAllDocuments = parseAllDocuments;
exports.parseDocument = parseDocument;
exports.stringify = stringify;


/***/ }),

/***/ 5840:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var tags = __nccwpck_require__(18);

const sortMapEntriesByKey = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
class Schema {
    constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
        this.compat = Array.isArray(compat)
            ? tags.getTags(compat, 'compat')
            : compat
                ? tags.getTags(null, compat)
                : null;
        this.name = (typeof schema === 'string' && schema) || 'core';
        this.knownTags = resolveKnownTags ? tags.coreKnownTags : {};
        this.tags = tags.getTags(customTags, this.name, merge);
        this.toStringOptions = toStringDefaults ?? null;
        Object.defineProperty(this, identity.MAP, { value: map.map });
        Object.defineProperty(this, identity.SCALAR, { value: string.string });
        Object.defineProperty(this, identity.SEQ, { value: seq.seq });
        // Used by createMap()
        this.sortMapEntries =
            typeof sortMapEntries === 'function'
                ? sortMapEntries
                : sortMapEntries === true
                    ? sortMapEntriesByKey
                    : null;
    }
    clone() {
        const copy = Object.create(Schema.prototype, Object.getOwnPropertyDescriptors(this));
        copy.tags = this.tags.slice();
        return copy;
    }
}

exports.Schema = Schema;


/***/ }),

/***/ 7451:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var YAMLMap = __nccwpck_require__(4454);

const map = {
    collection: 'map',
    default: true,
    nodeClass: YAMLMap.YAMLMap,
    tag: 'tag:yaml.org,2002:map',
    resolve(map, onError) {
        if (!identity.isMap(map))
            onError('Expected a mapping for this tag');
        return map;
    },
    createNode: (schema, obj, ctx) => YAMLMap.YAMLMap.from(schema, obj, ctx)
};

exports.map = map;


/***/ }),

/***/ 3632:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);

const nullTag = {
    identify: value => value == null,
    createNode: () => new Scalar.Scalar(null),
    default: true,
    tag: 'tag:yaml.org,2002:null',
    test: /^(?:~|[Nn]ull|NULL)?$/,
    resolve: () => new Scalar.Scalar(null),
    stringify: ({ source }, ctx) => typeof source === 'string' && nullTag.test.test(source)
        ? source
        : ctx.options.nullStr
};

exports.nullTag = nullTag;


/***/ }),

/***/ 1706:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var YAMLSeq = __nccwpck_require__(2223);

const seq = {
    collection: 'seq',
    default: true,
    nodeClass: YAMLSeq.YAMLSeq,
    tag: 'tag:yaml.org,2002:seq',
    resolve(seq, onError) {
        if (!identity.isSeq(seq))
            onError('Expected a sequence for this tag');
        return seq;
    },
    createNode: (schema, obj, ctx) => YAMLSeq.YAMLSeq.from(schema, obj, ctx)
};

exports.seq = seq;


/***/ }),

/***/ 6464:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var stringifyString = __nccwpck_require__(3069);

const string = {
    identify: value => typeof value === 'string',
    default: true,
    tag: 'tag:yaml.org,2002:str',
    resolve: str => str,
    stringify(item, ctx, onComment, onChompKeep) {
        ctx = Object.assign({ actualString: true }, ctx);
        return stringifyString.stringifyString(item, ctx, onComment, onChompKeep);
    }
};

exports.string = string;


/***/ }),

/***/ 3959:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);

const boolTag = {
    identify: value => typeof value === 'boolean',
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
    resolve: str => new Scalar.Scalar(str[0] === 't' || str[0] === 'T'),
    stringify({ source, value }, ctx) {
        if (source && boolTag.test.test(source)) {
            const sv = source[0] === 't' || source[0] === 'T';
            if (value === sv)
                return source;
        }
        return value ? ctx.options.trueStr : ctx.options.falseStr;
    }
};

exports.boolTag = boolTag;


/***/ }),

/***/ 8405:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: str => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
    resolve: str => parseFloat(str),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str));
        const dot = str.indexOf('.');
        if (dot !== -1 && str[str.length - 1] === '0')
            node.minFractionDigits = str.length - dot - 1;
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 9874:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
const intResolve = (str, offset, radix, { intAsBigInt }) => (intAsBigInt ? BigInt(str) : parseInt(str.substring(offset), radix));
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value) && value >= 0)
        return prefix + value.toString(radix);
    return stringifyNumber.stringifyNumber(node);
}
const intOct = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^0o[0-7]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 8, opt),
    stringify: node => intStringify(node, 8, '0o')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^0x[0-9a-fA-F]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 896:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.boolTag,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float
];

exports.schema = schema;


/***/ }),

/***/ 3559:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);

function intIdentify(value) {
    return typeof value === 'bigint' || Number.isInteger(value);
}
const stringifyJSON = ({ value }) => JSON.stringify(value);
const jsonScalars = [
    {
        identify: value => typeof value === 'string',
        default: true,
        tag: 'tag:yaml.org,2002:str',
        resolve: str => str,
        stringify: stringifyJSON
    },
    {
        identify: value => value == null,
        createNode: () => new Scalar.Scalar(null),
        default: true,
        tag: 'tag:yaml.org,2002:null',
        test: /^null$/,
        resolve: () => null,
        stringify: stringifyJSON
    },
    {
        identify: value => typeof value === 'boolean',
        default: true,
        tag: 'tag:yaml.org,2002:bool',
        test: /^true$|^false$/,
        resolve: str => str === 'true',
        stringify: stringifyJSON
    },
    {
        identify: intIdentify,
        default: true,
        tag: 'tag:yaml.org,2002:int',
        test: /^-?(?:0|[1-9][0-9]*)$/,
        resolve: (str, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str, 10),
        stringify: ({ value }) => intIdentify(value) ? value.toString() : JSON.stringify(value)
    },
    {
        identify: value => typeof value === 'number',
        default: true,
        tag: 'tag:yaml.org,2002:float',
        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
        resolve: str => parseFloat(str),
        stringify: stringifyJSON
    }
];
const jsonError = {
    default: true,
    tag: '',
    test: /^/,
    resolve(str, onError) {
        onError(`Unresolved plain scalar ${JSON.stringify(str)}`);
        return str;
    }
};
const schema = [map.map, seq.seq].concat(jsonScalars, jsonError);

exports.schema = schema;


/***/ }),

/***/ 18:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);
var schema = __nccwpck_require__(896);
var schema$1 = __nccwpck_require__(3559);
var binary = __nccwpck_require__(6083);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var schema$2 = __nccwpck_require__(5913);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schemas = new Map([
    ['core', schema.schema],
    ['failsafe', [map.map, seq.seq, string.string]],
    ['json', schema$1.schema],
    ['yaml11', schema$2.schema],
    ['yaml-1.1', schema$2.schema]
]);
const tagsByName = {
    binary: binary.binary,
    bool: bool.boolTag,
    float: float.float,
    floatExp: float.floatExp,
    floatNaN: float.floatNaN,
    floatTime: timestamp.floatTime,
    int: int.int,
    intHex: int.intHex,
    intOct: int.intOct,
    intTime: timestamp.intTime,
    map: map.map,
    merge: merge.merge,
    null: _null.nullTag,
    omap: omap.omap,
    pairs: pairs.pairs,
    seq: seq.seq,
    set: set.set,
    timestamp: timestamp.timestamp
};
const coreKnownTags = {
    'tag:yaml.org,2002:binary': binary.binary,
    'tag:yaml.org,2002:merge': merge.merge,
    'tag:yaml.org,2002:omap': omap.omap,
    'tag:yaml.org,2002:pairs': pairs.pairs,
    'tag:yaml.org,2002:set': set.set,
    'tag:yaml.org,2002:timestamp': timestamp.timestamp
};
function getTags(customTags, schemaName, addMergeTag) {
    const schemaTags = schemas.get(schemaName);
    if (schemaTags && !customTags) {
        return addMergeTag && !schemaTags.includes(merge.merge)
            ? schemaTags.concat(merge.merge)
            : schemaTags.slice();
    }
    let tags = schemaTags;
    if (!tags) {
        if (Array.isArray(customTags))
            tags = [];
        else {
            const keys = Array.from(schemas.keys())
                .filter(key => key !== 'yaml11')
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
        }
    }
    if (Array.isArray(customTags)) {
        for (const tag of customTags)
            tags = tags.concat(tag);
    }
    else if (typeof customTags === 'function') {
        tags = customTags(tags.slice());
    }
    if (addMergeTag)
        tags = tags.concat(merge.merge);
    return tags.reduce((tags, tag) => {
        const tagObj = typeof tag === 'string' ? tagsByName[tag] : tag;
        if (!tagObj) {
            const tagName = JSON.stringify(tag);
            const keys = Object.keys(tagsByName)
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
        }
        if (!tags.includes(tagObj))
            tags.push(tagObj);
        return tags;
    }, []);
}

exports.coreKnownTags = coreKnownTags;
exports.getTags = getTags;


/***/ }),

/***/ 6083:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var node_buffer = __nccwpck_require__(181);
var Scalar = __nccwpck_require__(3301);
var stringifyString = __nccwpck_require__(3069);

const binary = {
    identify: value => value instanceof Uint8Array, // Buffer inherits from Uint8Array
    default: false,
    tag: 'tag:yaml.org,2002:binary',
    /**
     * Returns a Buffer in node and an Uint8Array in browsers
     *
     * To use the resulting buffer as an image, you'll want to do something like:
     *
     *   const blob = new Blob([buffer], { type: 'image/jpeg' })
     *   document.querySelector('#photo').src = URL.createObjectURL(blob)
     */
    resolve(src, onError) {
        if (typeof node_buffer.Buffer === 'function') {
            return node_buffer.Buffer.from(src, 'base64');
        }
        else if (typeof atob === 'function') {
            // On IE 11, atob() can't handle newlines
            const str = atob(src.replace(/[\n\r]/g, ''));
            const buffer = new Uint8Array(str.length);
            for (let i = 0; i < str.length; ++i)
                buffer[i] = str.charCodeAt(i);
            return buffer;
        }
        else {
            onError('This environment does not support reading binary tags; either Buffer or atob is required');
            return src;
        }
    },
    stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
        if (!value)
            return '';
        const buf = value; // checked earlier by binary.identify()
        let str;
        if (typeof node_buffer.Buffer === 'function') {
            str =
                buf instanceof node_buffer.Buffer
                    ? buf.toString('base64')
                    : node_buffer.Buffer.from(buf.buffer).toString('base64');
        }
        else if (typeof btoa === 'function') {
            let s = '';
            for (let i = 0; i < buf.length; ++i)
                s += String.fromCharCode(buf[i]);
            str = btoa(s);
        }
        else {
            throw new Error('This environment does not support writing binary tags; either Buffer or btoa is required');
        }
        type ?? (type = Scalar.Scalar.BLOCK_LITERAL);
        if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
            const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
            const n = Math.ceil(str.length / lineWidth);
            const lines = new Array(n);
            for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
                lines[i] = str.substr(o, lineWidth);
            }
            str = lines.join(type === Scalar.Scalar.BLOCK_LITERAL ? '\n' : ' ');
        }
        return stringifyString.stringifyString({ comment, type, value: str }, ctx, onComment, onChompKeep);
    }
};

exports.binary = binary;


/***/ }),

/***/ 8398:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);

function boolStringify({ value, source }, ctx) {
    const boolObj = value ? trueTag : falseTag;
    if (source && boolObj.test.test(source))
        return source;
    return value ? ctx.options.trueStr : ctx.options.falseStr;
}
const trueTag = {
    identify: value => value === true,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
    resolve: () => new Scalar.Scalar(true),
    stringify: boolStringify
};
const falseTag = {
    identify: value => value === false,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
    resolve: () => new Scalar.Scalar(false),
    stringify: boolStringify
};

exports.falseTag = falseTag;
exports.trueTag = trueTag;


/***/ }),

/***/ 5782:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: (str) => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
    resolve: (str) => parseFloat(str.replace(/_/g, '')),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str.replace(/_/g, '')));
        const dot = str.indexOf('.');
        if (dot !== -1) {
            const f = str.substring(dot + 1).replace(/_/g, '');
            if (f[f.length - 1] === '0')
                node.minFractionDigits = f.length;
        }
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 873:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
function intResolve(str, offset, radix, { intAsBigInt }) {
    const sign = str[0];
    if (sign === '-' || sign === '+')
        offset += 1;
    str = str.substring(offset).replace(/_/g, '');
    if (intAsBigInt) {
        switch (radix) {
            case 2:
                str = `0b${str}`;
                break;
            case 8:
                str = `0o${str}`;
                break;
            case 16:
                str = `0x${str}`;
                break;
        }
        const n = BigInt(str);
        return sign === '-' ? BigInt(-1) * n : n;
    }
    const n = parseInt(str, radix);
    return sign === '-' ? -1 * n : n;
}
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value)) {
        const str = value.toString(radix);
        return value < 0 ? '-' + prefix + str.substr(1) : prefix + str;
    }
    return stringifyNumber.stringifyNumber(node);
}
const intBin = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'BIN',
    test: /^[-+]?0b[0-1_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 2, opt),
    stringify: node => intStringify(node, 2, '0b')
};
const intOct = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^[-+]?0[0-7_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 1, 8, opt),
    stringify: node => intStringify(node, 8, '0')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9][0-9_]*$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^[-+]?0x[0-9a-fA-F_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intBin = intBin;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 452:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

// If the value associated with a merge key is a single mapping node, each of
// its key/value pairs is inserted into the current mapping, unless the key
// already exists in it. If the value associated with the merge key is a
// sequence, then this sequence is expected to contain mapping nodes and each
// of these nodes is merged in turn according to its order in the sequence.
// Keys in mapping nodes earlier in the sequence override keys specified in
// later mapping nodes. -- http://yaml.org/type/merge.html
const MERGE_KEY = '<<';
const merge = {
    identify: value => value === MERGE_KEY ||
        (typeof value === 'symbol' && value.description === MERGE_KEY),
    default: 'key',
    tag: 'tag:yaml.org,2002:merge',
    test: /^<<$/,
    resolve: () => Object.assign(new Scalar.Scalar(Symbol(MERGE_KEY)), {
        addToJSMap: addMergeToJSMap
    }),
    stringify: () => MERGE_KEY
};
const isMergeKey = (ctx, key) => (merge.identify(key) ||
    (identity.isScalar(key) &&
        (!key.type || key.type === Scalar.Scalar.PLAIN) &&
        merge.identify(key.value))) &&
    ctx?.doc.schema.tags.some(tag => tag.tag === merge.tag && tag.default);
function addMergeToJSMap(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (identity.isSeq(source))
        for (const it of source.items)
            mergeValue(ctx, map, it);
    else if (Array.isArray(source))
        for (const it of source)
            mergeValue(ctx, map, it);
    else
        mergeValue(ctx, map, source);
}
function mergeValue(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (!identity.isMap(source))
        throw new Error('Merge sources must be maps or map aliases');
    const srcMap = source.toJSON(null, ctx, Map);
    for (const [key, value] of srcMap) {
        if (map instanceof Map) {
            if (!map.has(key))
                map.set(key, value);
        }
        else if (map instanceof Set) {
            map.add(key);
        }
        else if (!Object.prototype.hasOwnProperty.call(map, key)) {
            Object.defineProperty(map, key, {
                value,
                writable: true,
                enumerable: true,
                configurable: true
            });
        }
    }
    return map;
}
function resolveAliasValue(ctx, value) {
    return ctx && identity.isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
}

exports.addMergeToJSMap = addMergeToJSMap;
exports.isMergeKey = isMergeKey;
exports.merge = merge;


/***/ }),

/***/ 303:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var pairs = __nccwpck_require__(8385);

class YAMLOMap extends YAMLSeq.YAMLSeq {
    constructor() {
        super();
        this.add = YAMLMap.YAMLMap.prototype.add.bind(this);
        this.delete = YAMLMap.YAMLMap.prototype.delete.bind(this);
        this.get = YAMLMap.YAMLMap.prototype.get.bind(this);
        this.has = YAMLMap.YAMLMap.prototype.has.bind(this);
        this.set = YAMLMap.YAMLMap.prototype.set.bind(this);
        this.tag = YAMLOMap.tag;
    }
    /**
     * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
     * but TypeScript won't allow widening the signature of a child method.
     */
    toJSON(_, ctx) {
        if (!ctx)
            return super.toJSON(_);
        const map = new Map();
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const pair of this.items) {
            let key, value;
            if (identity.isPair(pair)) {
                key = toJS.toJS(pair.key, '', ctx);
                value = toJS.toJS(pair.value, key, ctx);
            }
            else {
                key = toJS.toJS(pair, '', ctx);
            }
            if (map.has(key))
                throw new Error('Ordered maps must not include duplicate keys');
            map.set(key, value);
        }
        return map;
    }
    static from(schema, iterable, ctx) {
        const pairs$1 = pairs.createPairs(schema, iterable, ctx);
        const omap = new this();
        omap.items = pairs$1.items;
        return omap;
    }
}
YAMLOMap.tag = 'tag:yaml.org,2002:omap';
const omap = {
    collection: 'seq',
    identify: value => value instanceof Map,
    nodeClass: YAMLOMap,
    default: false,
    tag: 'tag:yaml.org,2002:omap',
    resolve(seq, onError) {
        const pairs$1 = pairs.resolvePairs(seq, onError);
        const seenKeys = [];
        for (const { key } of pairs$1.items) {
            if (identity.isScalar(key)) {
                if (seenKeys.includes(key.value)) {
                    onError(`Ordered maps must not include duplicate keys: ${key.value}`);
                }
                else {
                    seenKeys.push(key.value);
                }
            }
        }
        return Object.assign(new YAMLOMap(), pairs$1);
    },
    createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
};

exports.YAMLOMap = YAMLOMap;
exports.omap = omap;


/***/ }),

/***/ 8385:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLSeq = __nccwpck_require__(2223);

function resolvePairs(seq, onError) {
    if (identity.isSeq(seq)) {
        for (let i = 0; i < seq.items.length; ++i) {
            let item = seq.items[i];
            if (identity.isPair(item))
                continue;
            else if (identity.isMap(item)) {
                if (item.items.length > 1)
                    onError('Each pair must have its own sequence indicator');
                const pair = item.items[0] || new Pair.Pair(new Scalar.Scalar(null));
                if (item.commentBefore)
                    pair.key.commentBefore = pair.key.commentBefore
                        ? `${item.commentBefore}\n${pair.key.commentBefore}`
                        : item.commentBefore;
                if (item.comment) {
                    const cn = pair.value ?? pair.key;
                    cn.comment = cn.comment
                        ? `${item.comment}\n${cn.comment}`
                        : item.comment;
                }
                item = pair;
            }
            seq.items[i] = identity.isPair(item) ? item : new Pair.Pair(item);
        }
    }
    else
        onError('Expected a sequence for this tag');
    return seq;
}
function createPairs(schema, iterable, ctx) {
    const { replacer } = ctx;
    const pairs = new YAMLSeq.YAMLSeq(schema);
    pairs.tag = 'tag:yaml.org,2002:pairs';
    let i = 0;
    if (iterable && Symbol.iterator in Object(iterable))
        for (let it of iterable) {
            if (typeof replacer === 'function')
                it = replacer.call(iterable, String(i++), it);
            let key, value;
            if (Array.isArray(it)) {
                if (it.length === 2) {
                    key = it[0];
                    value = it[1];
                }
                else
                    throw new TypeError(`Expected [key, value] tuple: ${it}`);
            }
            else if (it && it instanceof Object) {
                const keys = Object.keys(it);
                if (keys.length === 1) {
                    key = keys[0];
                    value = it[key];
                }
                else {
                    throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
                }
            }
            else {
                key = it;
            }
            pairs.items.push(Pair.createPair(key, value, ctx));
        }
    return pairs;
}
const pairs = {
    collection: 'seq',
    default: false,
    tag: 'tag:yaml.org,2002:pairs',
    resolve: resolvePairs,
    createNode: createPairs
};

exports.createPairs = createPairs;
exports.pairs = pairs;
exports.resolvePairs = resolvePairs;


/***/ }),

/***/ 5913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var binary = __nccwpck_require__(6083);
var bool = __nccwpck_require__(8398);
var float = __nccwpck_require__(5782);
var int = __nccwpck_require__(873);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.trueTag,
    bool.falseTag,
    int.intBin,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float,
    binary.binary,
    merge.merge,
    omap.omap,
    pairs.pairs,
    set.set,
    timestamp.intTime,
    timestamp.floatTime,
    timestamp.timestamp
];

exports.schema = schema;


/***/ }),

/***/ 1528:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);

class YAMLSet extends YAMLMap.YAMLMap {
    constructor(schema) {
        super(schema);
        this.tag = YAMLSet.tag;
    }
    add(key) {
        let pair;
        if (identity.isPair(key))
            pair = key;
        else if (key &&
            typeof key === 'object' &&
            'key' in key &&
            'value' in key &&
            key.value === null)
            pair = new Pair.Pair(key.key, null);
        else
            pair = new Pair.Pair(key, null);
        const prev = YAMLMap.findPair(this.items, pair.key);
        if (!prev)
            this.items.push(pair);
    }
    /**
     * If `keepPair` is `true`, returns the Pair matching `key`.
     * Otherwise, returns the value of that Pair's key.
     */
    get(key, keepPair) {
        const pair = YAMLMap.findPair(this.items, key);
        return !keepPair && identity.isPair(pair)
            ? identity.isScalar(pair.key)
                ? pair.key.value
                : pair.key
            : pair;
    }
    set(key, value) {
        if (typeof value !== 'boolean')
            throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
        const prev = YAMLMap.findPair(this.items, key);
        if (prev && !value) {
            this.items.splice(this.items.indexOf(prev), 1);
        }
        else if (!prev && value) {
            this.items.push(new Pair.Pair(key));
        }
    }
    toJSON(_, ctx) {
        return super.toJSON(_, ctx, Set);
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        if (this.hasAllNullValues(true))
            return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
        else
            throw new Error('Set items must all have null values');
    }
    static from(schema, iterable, ctx) {
        const { replacer } = ctx;
        const set = new this(schema);
        if (iterable && Symbol.iterator in Object(iterable))
            for (let value of iterable) {
                if (typeof replacer === 'function')
                    value = replacer.call(iterable, value, value);
                set.items.push(Pair.createPair(value, null, ctx));
            }
        return set;
    }
}
YAMLSet.tag = 'tag:yaml.org,2002:set';
const set = {
    collection: 'map',
    identify: value => value instanceof Set,
    nodeClass: YAMLSet,
    default: false,
    tag: 'tag:yaml.org,2002:set',
    createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
    resolve(map, onError) {
        if (identity.isMap(map)) {
            if (map.hasAllNullValues(true))
                return Object.assign(new YAMLSet(), map);
            else
                onError('Set items must all have null values');
        }
        else
            onError('Expected a mapping for this tag');
        return map;
    }
};

exports.YAMLSet = YAMLSet;
exports.set = set;


/***/ }),

/***/ 6752:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var stringifyNumber = __nccwpck_require__(8689);

/** Internal types handle bigint as number, because TS can't figure it out. */
function parseSexagesimal(str, asBigInt) {
    const sign = str[0];
    const parts = sign === '-' || sign === '+' ? str.substring(1) : str;
    const num = (n) => asBigInt ? BigInt(n) : Number(n);
    const res = parts
        .replace(/_/g, '')
        .split(':')
        .reduce((res, p) => res * num(60) + num(p), num(0));
    return (sign === '-' ? num(-1) * res : res);
}
/**
 * hhhh:mm:ss.sss
 *
 * Internal types handle bigint as number, because TS can't figure it out.
 */
function stringifySexagesimal(node) {
    let { value } = node;
    let num = (n) => n;
    if (typeof value === 'bigint')
        num = n => BigInt(n);
    else if (isNaN(value) || !isFinite(value))
        return stringifyNumber.stringifyNumber(node);
    let sign = '';
    if (value < 0) {
        sign = '-';
        value *= num(-1);
    }
    const _60 = num(60);
    const parts = [value % _60]; // seconds, including ms
    if (value < 60) {
        parts.unshift(0); // at least one : is required
    }
    else {
        value = (value - parts[0]) / _60;
        parts.unshift(value % _60); // minutes
        if (value >= 60) {
            value = (value - parts[0]) / _60;
            parts.unshift(value); // hours
        }
    }
    return (sign +
        parts
            .map(n => String(n).padStart(2, '0'))
            .join(':')
            .replace(/000000\d*$/, '') // % 60 may introduce error
    );
}
const intTime = {
    identify: value => typeof value === 'bigint' || Number.isInteger(value),
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
    resolve: (str, _onError, { intAsBigInt }) => parseSexagesimal(str, intAsBigInt),
    stringify: stringifySexagesimal
};
const floatTime = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
    resolve: str => parseSexagesimal(str, false),
    stringify: stringifySexagesimal
};
const timestamp = {
    identify: value => value instanceof Date,
    default: true,
    tag: 'tag:yaml.org,2002:timestamp',
    // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
    // may be omitted altogether, resulting in a date format. In such a case, the time part is
    // assumed to be 00:00:00Z (start of day, UTC).
    test: RegExp('^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + // YYYY-Mm-Dd
        '(?:' + // time is optional
        '(?:t|T|[ \\t]+)' + // t | T | whitespace
        '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)' + // Hh:Mm:Ss(.ss)?
        '(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?' + // Z | +5 | -03:30
        ')?$'),
    resolve(str) {
        const match = str.match(timestamp.test);
        if (!match)
            throw new Error('!!timestamp expects a date, starting with yyyy-mm-dd');
        const [, year, month, day, hour, minute, second] = match.map(Number);
        const millisec = match[7] ? Number((match[7] + '00').substr(1, 3)) : 0;
        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
        const tz = match[8];
        if (tz && tz !== 'Z') {
            let d = parseSexagesimal(tz, false);
            if (Math.abs(d) < 30)
                d *= 60;
            date -= 60000 * d;
        }
        return new Date(date);
    },
    stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, '') ?? ''
};

exports.floatTime = floatTime;
exports.intTime = intTime;
exports.timestamp = timestamp;


/***/ }),

/***/ 4475:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


const FOLD_FLOW = 'flow';
const FOLD_BLOCK = 'block';
const FOLD_QUOTED = 'quoted';
/**
 * Tries to keep input at up to `lineWidth` characters, splitting only on spaces
 * not followed by newlines or spaces unless `mode` is `'quoted'`. Lines are
 * terminated with `\n` and started with `indent`.
 */
function foldFlowLines(text, indent, mode = 'flow', { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
    if (!lineWidth || lineWidth < 0)
        return text;
    if (lineWidth < minContentWidth)
        minContentWidth = 0;
    const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent.length);
    if (text.length <= endStep)
        return text;
    const folds = [];
    const escapedFolds = {};
    let end = lineWidth - indent.length;
    if (typeof indentAtStart === 'number') {
        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
            folds.push(0);
        else
            end = lineWidth - indentAtStart;
    }
    let split = undefined;
    let prev = undefined;
    let overflow = false;
    let i = -1;
    let escStart = -1;
    let escEnd = -1;
    if (mode === FOLD_BLOCK) {
        i = consumeMoreIndentedLines(text, i, indent.length);
        if (i !== -1)
            end = i + endStep;
    }
    for (let ch; (ch = text[(i += 1)]);) {
        if (mode === FOLD_QUOTED && ch === '\\') {
            escStart = i;
            switch (text[i + 1]) {
                case 'x':
                    i += 3;
                    break;
                case 'u':
                    i += 5;
                    break;
                case 'U':
                    i += 9;
                    break;
                default:
                    i += 1;
            }
            escEnd = i;
        }
        if (ch === '\n') {
            if (mode === FOLD_BLOCK)
                i = consumeMoreIndentedLines(text, i, indent.length);
            end = i + indent.length + endStep;
            split = undefined;
        }
        else {
            if (ch === ' ' &&
                prev &&
                prev !== ' ' &&
                prev !== '\n' &&
                prev !== '\t') {
                // space surrounded by non-space can be replaced with newline + indent
                const next = text[i + 1];
                if (next && next !== ' ' && next !== '\n' && next !== '\t')
                    split = i;
            }
            if (i >= end) {
                if (split) {
                    folds.push(split);
                    end = split + endStep;
                    split = undefined;
                }
                else if (mode === FOLD_QUOTED) {
                    // white-space collected at end may stretch past lineWidth
                    while (prev === ' ' || prev === '\t') {
                        prev = ch;
                        ch = text[(i += 1)];
                        overflow = true;
                    }
                    // Account for newline escape, but don't break preceding escape
                    const j = i > escEnd + 1 ? i - 2 : escStart - 1;
                    // Bail out if lineWidth & minContentWidth are shorter than an escape string
                    if (escapedFolds[j])
                        return text;
                    folds.push(j);
                    escapedFolds[j] = true;
                    end = j + endStep;
                    split = undefined;
                }
                else {
                    overflow = true;
                }
            }
        }
        prev = ch;
    }
    if (overflow && onOverflow)
        onOverflow();
    if (folds.length === 0)
        return text;
    if (onFold)
        onFold();
    let res = text.slice(0, folds[0]);
    for (let i = 0; i < folds.length; ++i) {
        const fold = folds[i];
        const end = folds[i + 1] || text.length;
        if (fold === 0)
            res = `\n${indent}${text.slice(0, end)}`;
        else {
            if (mode === FOLD_QUOTED && escapedFolds[fold])
                res += `${text[fold]}\\`;
            res += `\n${indent}${text.slice(fold + 1, end)}`;
        }
    }
    return res;
}
/**
 * Presumes `i + 1` is at the start of a line
 * @returns index of last newline in more-indented block
 */
function consumeMoreIndentedLines(text, i, indent) {
    let end = i;
    let start = i + 1;
    let ch = text[start];
    while (ch === ' ' || ch === '\t') {
        if (i < start + indent) {
            ch = text[++i];
        }
        else {
            do {
                ch = text[++i];
            } while (ch && ch !== '\n');
            end = i;
            start = i + 1;
            ch = text[start];
        }
    }
    return end;
}

exports.FOLD_BLOCK = FOLD_BLOCK;
exports.FOLD_FLOW = FOLD_FLOW;
exports.FOLD_QUOTED = FOLD_QUOTED;
exports.foldFlowLines = foldFlowLines;


/***/ }),

/***/ 2148:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var anchors = __nccwpck_require__(1596);
var identity = __nccwpck_require__(1127);
var stringifyComment = __nccwpck_require__(9799);
var stringifyString = __nccwpck_require__(3069);

function createStringifyContext(doc, options) {
    const opt = Object.assign({
        blockQuote: true,
        commentString: stringifyComment.stringifyComment,
        defaultKeyType: null,
        defaultStringType: 'PLAIN',
        directives: null,
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        falseStr: 'false',
        flowCollectionPadding: true,
        indentSeq: true,
        lineWidth: 80,
        minContentWidth: 20,
        nullStr: 'null',
        simpleKeys: false,
        singleQuote: null,
        trailingComma: false,
        trueStr: 'true',
        verifyAliasOrder: true
    }, doc.schema.toStringOptions, options);
    let inFlow;
    switch (opt.collectionStyle) {
        case 'block':
            inFlow = false;
            break;
        case 'flow':
            inFlow = true;
            break;
        default:
            inFlow = null;
    }
    return {
        anchors: new Set(),
        doc,
        flowCollectionPadding: opt.flowCollectionPadding ? ' ' : '',
        indent: '',
        indentStep: typeof opt.indent === 'number' ? ' '.repeat(opt.indent) : '  ',
        inFlow,
        options: opt
    };
}
function getTagObject(tags, item) {
    if (item.tag) {
        const match = tags.filter(t => t.tag === item.tag);
        if (match.length > 0)
            return match.find(t => t.format === item.format) ?? match[0];
    }
    let tagObj = undefined;
    let obj;
    if (identity.isScalar(item)) {
        obj = item.value;
        let match = tags.filter(t => t.identify?.(obj));
        if (match.length > 1) {
            const testMatch = match.filter(t => t.test);
            if (testMatch.length > 0)
                match = testMatch;
        }
        tagObj =
            match.find(t => t.format === item.format) ?? match.find(t => !t.format);
    }
    else {
        obj = item;
        tagObj = tags.find(t => t.nodeClass && obj instanceof t.nodeClass);
    }
    if (!tagObj) {
        const name = obj?.constructor?.name ?? (obj === null ? 'null' : typeof obj);
        throw new Error(`Tag not resolved for ${name} value`);
    }
    return tagObj;
}
// needs to be called before value stringifier to allow for circular anchor refs
function stringifyProps(node, tagObj, { anchors: anchors$1, doc }) {
    if (!doc.directives)
        return '';
    const props = [];
    const anchor = (identity.isScalar(node) || identity.isCollection(node)) && node.anchor;
    if (anchor && anchors.anchorIsValid(anchor)) {
        anchors$1.add(anchor);
        props.push(`&${anchor}`);
    }
    const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
    if (tag)
        props.push(doc.directives.tagString(tag));
    return props.join(' ');
}
function stringify(item, ctx, onComment, onChompKeep) {
    if (identity.isPair(item))
        return item.toString(ctx, onComment, onChompKeep);
    if (identity.isAlias(item)) {
        if (ctx.doc.directives)
            return item.toString(ctx);
        if (ctx.resolvedAliases?.has(item)) {
            throw new TypeError(`Cannot stringify circular structure without alias nodes`);
        }
        else {
            if (ctx.resolvedAliases)
                ctx.resolvedAliases.add(item);
            else
                ctx.resolvedAliases = new Set([item]);
            item = item.resolve(ctx.doc);
        }
    }
    let tagObj = undefined;
    const node = identity.isNode(item)
        ? item
        : ctx.doc.createNode(item, { onTagObj: o => (tagObj = o) });
    tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
    const props = stringifyProps(node, tagObj, ctx);
    if (props.length > 0)
        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
    const str = typeof tagObj.stringify === 'function'
        ? tagObj.stringify(node, ctx, onComment, onChompKeep)
        : identity.isScalar(node)
            ? stringifyString.stringifyString(node, ctx, onComment, onChompKeep)
            : node.toString(ctx, onComment, onChompKeep);
    if (!props)
        return str;
    return identity.isScalar(node) || str[0] === '{' || str[0] === '['
        ? `${props} ${str}`
        : `${props}\n${ctx.indent}${str}`;
}

exports.createStringifyContext = createStringifyContext;
exports.stringify = stringify;


/***/ }),

/***/ 1212:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyCollection(collection, ctx, options) {
    const flow = ctx.inFlow ?? collection.flow;
    const stringify = flow ? stringifyFlowCollection : stringifyBlockCollection;
    return stringify(collection, ctx, options);
}
function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
    const { indent, options: { commentString } } = ctx;
    const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
    let chompKeep = false; // flag for the preceding node's status
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (!chompKeep && item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (!chompKeep && ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
            }
        }
        chompKeep = false;
        let str = stringify.stringify(item, itemCtx, () => (comment = null), () => (chompKeep = true));
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        if (chompKeep && comment)
            chompKeep = false;
        lines.push(blockItemPrefix + str);
    }
    let str;
    if (lines.length === 0) {
        str = flowChars.start + flowChars.end;
    }
    else {
        str = lines[0];
        for (let i = 1; i < lines.length; ++i) {
            const line = lines[i];
            str += line ? `\n${indent}${line}` : '\n';
        }
    }
    if (comment) {
        str += '\n' + stringifyComment.indentComment(commentString(comment), indent);
        if (onComment)
            onComment();
    }
    else if (chompKeep && onChompKeep)
        onChompKeep();
    return str;
}
function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
    const { indent, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
    itemIndent += indentStep;
    const itemCtx = Object.assign({}, ctx, {
        indent: itemIndent,
        inFlow: true,
        type: null
    });
    let reqNewline = false;
    let linesAtValue = 0;
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, false);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, false);
                if (ik.comment)
                    reqNewline = true;
            }
            const iv = identity.isNode(item.value) ? item.value : null;
            if (iv) {
                if (iv.comment)
                    comment = iv.comment;
                if (iv.commentBefore)
                    reqNewline = true;
            }
            else if (item.value == null && ik?.comment) {
                comment = ik.comment;
            }
        }
        if (comment)
            reqNewline = true;
        let str = stringify.stringify(item, itemCtx, () => (comment = null));
        reqNewline || (reqNewline = lines.length > linesAtValue || str.includes('\n'));
        if (i < items.length - 1) {
            str += ',';
        }
        else if (ctx.options.trailingComma) {
            if (ctx.options.lineWidth > 0) {
                reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) +
                    (str.length + 2) >
                    ctx.options.lineWidth);
            }
            if (reqNewline) {
                str += ',';
            }
        }
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        lines.push(str);
        linesAtValue = lines.length;
    }
    const { start, end } = flowChars;
    if (lines.length === 0) {
        return start + end;
    }
    else {
        if (!reqNewline) {
            const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
            reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
        }
        if (reqNewline) {
            let str = start;
            for (const line of lines)
                str += line ? `\n${indentStep}${indent}${line}` : '\n';
            return `${str}\n${indent}${end}`;
        }
        else {
            return `${start}${fcPadding}${lines.join(' ')}${fcPadding}${end}`;
        }
    }
}
function addCommentBefore({ indent, options: { commentString } }, lines, comment, chompKeep) {
    if (comment && chompKeep)
        comment = comment.replace(/^\n+/, '');
    if (comment) {
        const ic = stringifyComment.indentComment(commentString(comment), indent);
        lines.push(ic.trimStart()); // Avoid double indent on first line
    }
}

exports.stringifyCollection = stringifyCollection;


/***/ }),

/***/ 9799:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


/**
 * Stringifies a comment.
 *
 * Empty comment lines are left empty,
 * lines consisting of a single space are replaced by `#`,
 * and all other lines are prefixed with a `#`.
 */
const stringifyComment = (str) => str.replace(/^(?!$)(?: $)?/gm, '#');
function indentComment(comment, indent) {
    if (/^\n+$/.test(comment))
        return comment.substring(1);
    return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
}
const lineComment = (str, indent, comment) => str.endsWith('\n')
    ? indentComment(comment, indent)
    : comment.includes('\n')
        ? '\n' + indentComment(comment, indent)
        : (str.endsWith(' ') ? '' : ' ') + comment;

exports.indentComment = indentComment;
exports.lineComment = lineComment;
exports.stringifyComment = stringifyComment;


/***/ }),

/***/ 6829:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyDocument(doc, options) {
    const lines = [];
    let hasDirectives = options.directives === true;
    if (options.directives !== false && doc.directives) {
        const dir = doc.directives.toString(doc);
        if (dir) {
            lines.push(dir);
            hasDirectives = true;
        }
        else if (doc.directives.docStart)
            hasDirectives = true;
    }
    if (hasDirectives)
        lines.push('---');
    const ctx = stringify.createStringifyContext(doc, options);
    const { commentString } = ctx.options;
    if (doc.commentBefore) {
        if (lines.length !== 1)
            lines.unshift('');
        const cs = commentString(doc.commentBefore);
        lines.unshift(stringifyComment.indentComment(cs, ''));
    }
    let chompKeep = false;
    let contentComment = null;
    if (doc.contents) {
        if (identity.isNode(doc.contents)) {
            if (doc.contents.spaceBefore && hasDirectives)
                lines.push('');
            if (doc.contents.commentBefore) {
                const cs = commentString(doc.contents.commentBefore);
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            // top-level block scalars need to be indented if followed by a comment
            ctx.forceBlockIndent = !!doc.comment;
            contentComment = doc.contents.comment;
        }
        const onChompKeep = contentComment ? undefined : () => (chompKeep = true);
        let body = stringify.stringify(doc.contents, ctx, () => (contentComment = null), onChompKeep);
        if (contentComment)
            body += stringifyComment.lineComment(body, '', commentString(contentComment));
        if ((body[0] === '|' || body[0] === '>') &&
            lines[lines.length - 1] === '---') {
            // Top-level block scalars with a preceding doc marker ought to use the
            // same line for their header.
            lines[lines.length - 1] = `--- ${body}`;
        }
        else
            lines.push(body);
    }
    else {
        lines.push(stringify.stringify(doc.contents, ctx));
    }
    if (doc.directives?.docEnd) {
        if (doc.comment) {
            const cs = commentString(doc.comment);
            if (cs.includes('\n')) {
                lines.push('...');
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            else {
                lines.push(`... ${cs}`);
            }
        }
        else {
            lines.push('...');
        }
    }
    else {
        let dc = doc.comment;
        if (dc && chompKeep)
            dc = dc.replace(/^\n+/, '');
        if (dc) {
            if ((!chompKeep || contentComment) && lines[lines.length - 1] !== '')
                lines.push('');
            lines.push(stringifyComment.indentComment(commentString(dc), ''));
        }
    }
    return lines.join('\n') + '\n';
}

exports.stringifyDocument = stringifyDocument;


/***/ }),

/***/ 8689:
/***/ ((__unused_webpack_module, exports) => {

"use strict";


function stringifyNumber({ format, minFractionDigits, tag, value }) {
    if (typeof value === 'bigint')
        return String(value);
    const num = typeof value === 'number' ? value : Number(value);
    if (!isFinite(num))
        return isNaN(num) ? '.nan' : num < 0 ? '-.inf' : '.inf';
    let n = Object.is(value, -0) ? '-0' : JSON.stringify(value);
    if (!format &&
        minFractionDigits &&
        (!tag || tag === 'tag:yaml.org,2002:float') &&
        /^-?\d/.test(n) &&
        !n.includes('e')) {
        let i = n.indexOf('.');
        if (i < 0) {
            i = n.length;
            n += '.';
        }
        let d = minFractionDigits - (n.length - i - 1);
        while (d-- > 0)
            n += '0';
    }
    return n;
}

exports.stringifyNumber = stringifyNumber;


/***/ }),

/***/ 9748:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyPair({ key, value }, ctx, onComment, onChompKeep) {
    const { allNullValues, doc, indent, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
    let keyComment = (identity.isNode(key) && key.comment) || null;
    if (simpleKeys) {
        if (keyComment) {
            throw new Error('With simple keys, key nodes cannot have comments');
        }
        if (identity.isCollection(key) || (!identity.isNode(key) && typeof key === 'object')) {
            const msg = 'With simple keys, collection cannot be used as a key value';
            throw new Error(msg);
        }
    }
    let explicitKey = !simpleKeys &&
        (!key ||
            (keyComment && value == null && !ctx.inFlow) ||
            identity.isCollection(key) ||
            (identity.isScalar(key)
                ? key.type === Scalar.Scalar.BLOCK_FOLDED || key.type === Scalar.Scalar.BLOCK_LITERAL
                : typeof key === 'object'));
    ctx = Object.assign({}, ctx, {
        allNullValues: false,
        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
        indent: indent + indentStep
    });
    let keyCommentDone = false;
    let chompKeep = false;
    let str = stringify.stringify(key, ctx, () => (keyCommentDone = true), () => (chompKeep = true));
    if (!explicitKey && !ctx.inFlow && str.length > 1024) {
        if (simpleKeys)
            throw new Error('With simple keys, single line scalar must not span more than 1024 characters');
        explicitKey = true;
    }
    if (ctx.inFlow) {
        if (allNullValues || value == null) {
            if (keyCommentDone && onComment)
                onComment();
            return str === '' ? '?' : explicitKey ? `? ${str}` : str;
        }
    }
    else if ((allNullValues && !simpleKeys) || (value == null && explicitKey)) {
        str = `? ${str}`;
        if (keyComment && !keyCommentDone) {
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        }
        else if (chompKeep && onChompKeep)
            onChompKeep();
        return str;
    }
    if (keyCommentDone)
        keyComment = null;
    if (explicitKey) {
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        str = `? ${str}\n${indent}:`;
    }
    else {
        str = `${str}:`;
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
    }
    let vsb, vcb, valueComment;
    if (identity.isNode(value)) {
        vsb = !!value.spaceBefore;
        vcb = value.commentBefore;
        valueComment = value.comment;
    }
    else {
        vsb = false;
        vcb = null;
        valueComment = null;
        if (value && typeof value === 'object')
            value = doc.createNode(value);
    }
    ctx.implicitKey = false;
    if (!explicitKey && !keyComment && identity.isScalar(value))
        ctx.indentAtStart = str.length + 1;
    chompKeep = false;
    if (!indentSeq &&
        indentStep.length >= 2 &&
        !ctx.inFlow &&
        !explicitKey &&
        identity.isSeq(value) &&
        !value.flow &&
        !value.tag &&
        !value.anchor) {
        // If indentSeq === false, consider '- ' as part of indentation where possible
        ctx.indent = ctx.indent.substring(2);
    }
    let valueCommentDone = false;
    const valueStr = stringify.stringify(value, ctx, () => (valueCommentDone = true), () => (chompKeep = true));
    let ws = ' ';
    if (keyComment || vsb || vcb) {
        ws = vsb ? '\n' : '';
        if (vcb) {
            const cs = commentString(vcb);
            ws += `\n${stringifyComment.indentComment(cs, ctx.indent)}`;
        }
        if (valueStr === '' && !ctx.inFlow) {
            if (ws === '\n' && valueComment)
                ws = '\n\n';
        }
        else {
            ws += `\n${ctx.indent}`;
        }
    }
    else if (!explicitKey && identity.isCollection(value)) {
        const vs0 = valueStr[0];
        const nl0 = valueStr.indexOf('\n');
        const hasNewline = nl0 !== -1;
        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
        if (hasNewline || !flow) {
            let hasPropsLine = false;
            if (hasNewline && (vs0 === '&' || vs0 === '!')) {
                let sp0 = valueStr.indexOf(' ');
                if (vs0 === '&' &&
                    sp0 !== -1 &&
                    sp0 < nl0 &&
                    valueStr[sp0 + 1] === '!') {
                    sp0 = valueStr.indexOf(' ', sp0 + 1);
                }
                if (sp0 === -1 || nl0 < sp0)
                    hasPropsLine = true;
            }
            if (!hasPropsLine)
                ws = `\n${ctx.indent}`;
        }
    }
    else if (valueStr === '' || valueStr[0] === '\n') {
        ws = '';
    }
    str += ws + valueStr;
    if (ctx.inFlow) {
        if (valueCommentDone && onComment)
            onComment();
    }
    else if (valueComment && !valueCommentDone) {
        str += stringifyComment.lineComment(str, ctx.indent, commentString(valueComment));
    }
    else if (chompKeep && onChompKeep) {
        onChompKeep();
    }
    return str;
}

exports.stringifyPair = stringifyPair;


/***/ }),

/***/ 3069:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var Scalar = __nccwpck_require__(3301);
var foldFlowLines = __nccwpck_require__(4475);

const getFoldOptions = (ctx, isBlock) => ({
    indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
    lineWidth: ctx.options.lineWidth,
    minContentWidth: ctx.options.minContentWidth
});
// Also checks for lines starting with %, as parsing the output as YAML 1.1 will
// presume that's starting a new document.
const containsDocumentMarker = (str) => /^(%|---|\.\.\.)/m.test(str);
function lineLengthOverLimit(str, lineWidth, indentLength) {
    if (!lineWidth || lineWidth < 0)
        return false;
    const limit = lineWidth - indentLength;
    const strLen = str.length;
    if (strLen <= limit)
        return false;
    for (let i = 0, start = 0; i < strLen; ++i) {
        if (str[i] === '\n') {
            if (i - start > limit)
                return true;
            start = i + 1;
            if (strLen - start <= limit)
                return false;
        }
    }
    return true;
}
function doubleQuotedString(value, ctx) {
    const json = JSON.stringify(value);
    if (ctx.options.doubleQuotedAsJSON)
        return json;
    const { implicitKey } = ctx;
    const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    let str = '';
    let start = 0;
    for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
        if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
            // space before newline needs to be escaped to not be folded
            str += json.slice(start, i) + '\\ ';
            i += 1;
            start = i;
            ch = '\\';
        }
        if (ch === '\\')
            switch (json[i + 1]) {
                case 'u':
                    {
                        str += json.slice(start, i);
                        const code = json.substr(i + 2, 4);
                        switch (code) {
                            case '0000':
                                str += '\\0';
                                break;
                            case '0007':
                                str += '\\a';
                                break;
                            case '000b':
                                str += '\\v';
                                break;
                            case '001b':
                                str += '\\e';
                                break;
                            case '0085':
                                str += '\\N';
                                break;
                            case '00a0':
                                str += '\\_';
                                break;
                            case '2028':
                                str += '\\L';
                                break;
                            case '2029':
                                str += '\\P';
                                break;
                            default:
                                if (code.substr(0, 2) === '00')
                                    str += '\\x' + code.substr(2);
                                else
                                    str += json.substr(i, 6);
                        }
                        i += 5;
                        start = i + 1;
                    }
                    break;
                case 'n':
                    if (implicitKey ||
                        json[i + 2] === '"' ||
                        json.length < minMultiLineLength) {
                        i += 1;
                    }
                    else {
                        // folding will eat first newline
                        str += json.slice(start, i) + '\n\n';
                        while (json[i + 2] === '\\' &&
                            json[i + 3] === 'n' &&
                            json[i + 4] !== '"') {
                            str += '\n';
                            i += 2;
                        }
                        str += indent;
                        // space after newline needs to be escaped to not be folded
                        if (json[i + 2] === ' ')
                            str += '\\';
                        i += 1;
                        start = i + 1;
                    }
                    break;
                default:
                    i += 1;
            }
    }
    str = start ? str + json.slice(start) : json;
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_QUOTED, getFoldOptions(ctx, false));
}
function singleQuotedString(value, ctx) {
    if (ctx.options.singleQuote === false ||
        (ctx.implicitKey && value.includes('\n')) ||
        /[ \t]\n|\n[ \t]/.test(value) // single quoted string can't have leading or trailing whitespace around newline
    )
        return doubleQuotedString(value, ctx);
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
    return ctx.implicitKey
        ? res
        : foldFlowLines.foldFlowLines(res, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function quotedString(value, ctx) {
    const { singleQuote } = ctx.options;
    let qs;
    if (singleQuote === false)
        qs = doubleQuotedString;
    else {
        const hasDouble = value.includes('"');
        const hasSingle = value.includes("'");
        if (hasDouble && !hasSingle)
            qs = singleQuotedString;
        else if (hasSingle && !hasDouble)
            qs = doubleQuotedString;
        else
            qs = singleQuote ? singleQuotedString : doubleQuotedString;
    }
    return qs(value, ctx);
}
// The negative lookbehind avoids a polynomial search,
// but isn't supported yet on Safari: https://caniuse.com/js-regexp-lookbehind
let blockEndNewlines;
try {
    blockEndNewlines = new RegExp('(^|(?<!\n))\n+(?!\n|$)', 'g');
}
catch {
    blockEndNewlines = /\n+(?!\n|$)/g;
}
function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
    const { blockQuote, commentString, lineWidth } = ctx.options;
    // 1. Block can't end in whitespace unless the last line is non-empty.
    // 2. Strings consisting of only whitespace are best rendered explicitly.
    if (!blockQuote || /\n[\t ]+$/.test(value)) {
        return quotedString(value, ctx);
    }
    const indent = ctx.indent ||
        (ctx.forceBlockIndent || containsDocumentMarker(value) ? '  ' : '');
    const literal = blockQuote === 'literal'
        ? true
        : blockQuote === 'folded' || type === Scalar.Scalar.BLOCK_FOLDED
            ? false
            : type === Scalar.Scalar.BLOCK_LITERAL
                ? true
                : !lineLengthOverLimit(value, lineWidth, indent.length);
    if (!value)
        return literal ? '|\n' : '>\n';
    // determine chomping from whitespace at value end
    let chomp;
    let endStart;
    for (endStart = value.length; endStart > 0; --endStart) {
        const ch = value[endStart - 1];
        if (ch !== '\n' && ch !== '\t' && ch !== ' ')
            break;
    }
    let end = value.substring(endStart);
    const endNlPos = end.indexOf('\n');
    if (endNlPos === -1) {
        chomp = '-'; // strip
    }
    else if (value === end || endNlPos !== end.length - 1) {
        chomp = '+'; // keep
        if (onChompKeep)
            onChompKeep();
    }
    else {
        chomp = ''; // clip
    }
    if (end) {
        value = value.slice(0, -end.length);
        if (end[end.length - 1] === '\n')
            end = end.slice(0, -1);
        end = end.replace(blockEndNewlines, `$&${indent}`);
    }
    // determine indent indicator from whitespace at value start
    let startWithSpace = false;
    let startEnd;
    let startNlPos = -1;
    for (startEnd = 0; startEnd < value.length; ++startEnd) {
        const ch = value[startEnd];
        if (ch === ' ')
            startWithSpace = true;
        else if (ch === '\n')
            startNlPos = startEnd;
        else
            break;
    }
    let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
    if (start) {
        value = value.substring(start.length);
        start = start.replace(/\n+/g, `$&${indent}`);
    }
    const indentSize = indent ? '2' : '1'; // root is at -1
    // Leading | or > is added later
    let header = (startWithSpace ? indentSize : '') + chomp;
    if (comment) {
        header += ' ' + commentString(comment.replace(/ ?[\r\n]+/g, ' '));
        if (onComment)
            onComment();
    }
    if (!literal) {
        const foldedValue = value
            .replace(/\n+/g, '\n$&')
            .replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, '$1$2') // more-indented lines aren't folded
            //                ^ more-ind. ^ empty     ^ capture next empty lines only at end of indent
            .replace(/\n+/g, `$&${indent}`);
        let literalFallback = false;
        const foldOptions = getFoldOptions(ctx, true);
        if (blockQuote !== 'folded' && type !== Scalar.Scalar.BLOCK_FOLDED) {
            foldOptions.onOverflow = () => {
                literalFallback = true;
            };
        }
        const body = foldFlowLines.foldFlowLines(`${start}${foldedValue}${end}`, indent, foldFlowLines.FOLD_BLOCK, foldOptions);
        if (!literalFallback)
            return `>${header}\n${indent}${body}`;
    }
    value = value.replace(/\n+/g, `$&${indent}`);
    return `|${header}\n${indent}${start}${value}${end}`;
}
function plainString(item, ctx, onComment, onChompKeep) {
    const { type, value } = item;
    const { actualString, implicitKey, indent, indentStep, inFlow } = ctx;
    if ((implicitKey && value.includes('\n')) ||
        (inFlow && /[[\]{},]/.test(value))) {
        return quotedString(value, ctx);
    }
    if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
        // not allowed:
        // - '-' or '?'
        // - start with an indicator character (except [?:-]) or /[?-] /
        // - '\n ', ': ' or ' \n' anywhere
        // - '#' not preceded by a non-space char
        // - end with ' ' or ':'
        return implicitKey || inFlow || !value.includes('\n')
            ? quotedString(value, ctx)
            : blockString(item, ctx, onComment, onChompKeep);
    }
    if (!implicitKey &&
        !inFlow &&
        type !== Scalar.Scalar.PLAIN &&
        value.includes('\n')) {
        // Where allowed & type not set explicitly, prefer block style for multiline strings
        return blockString(item, ctx, onComment, onChompKeep);
    }
    if (containsDocumentMarker(value)) {
        if (indent === '') {
            ctx.forceBlockIndent = true;
            return blockString(item, ctx, onComment, onChompKeep);
        }
        else if (implicitKey && indent === indentStep) {
            return quotedString(value, ctx);
        }
    }
    const str = value.replace(/\n+/g, `$&\n${indent}`);
    // Verify that output will be parsed as a string, as e.g. plain numbers and
    // booleans get parsed with those types in v1.2 (e.g. '42', 'true' & '0.9e-3'),
    // and others in v1.1.
    if (actualString) {
        const test = (tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test?.test(str);
        const { compat, tags } = ctx.doc.schema;
        if (tags.some(test) || compat?.some(test))
            return quotedString(value, ctx);
    }
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function stringifyString(item, ctx, onComment, onChompKeep) {
    const { implicitKey, inFlow } = ctx;
    const ss = typeof item.value === 'string'
        ? item
        : Object.assign({}, item, { value: String(item.value) });
    let { type } = item;
    if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
        // force double quotes on control characters & unpaired surrogates
        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
            type = Scalar.Scalar.QUOTE_DOUBLE;
    }
    const _stringify = (_type) => {
        switch (_type) {
            case Scalar.Scalar.BLOCK_FOLDED:
            case Scalar.Scalar.BLOCK_LITERAL:
                return implicitKey || inFlow
                    ? quotedString(ss.value, ctx) // blocks are not valid inside flow containers
                    : blockString(ss, ctx, onComment, onChompKeep);
            case Scalar.Scalar.QUOTE_DOUBLE:
                return doubleQuotedString(ss.value, ctx);
            case Scalar.Scalar.QUOTE_SINGLE:
                return singleQuotedString(ss.value, ctx);
            case Scalar.Scalar.PLAIN:
                return plainString(ss, ctx, onComment, onChompKeep);
            default:
                return null;
        }
    };
    let res = _stringify(type);
    if (res === null) {
        const { defaultKeyType, defaultStringType } = ctx.options;
        const t = (implicitKey && defaultKeyType) || defaultStringType;
        res = _stringify(t);
        if (res === null)
            throw new Error(`Unsupported default string type ${t}`);
    }
    return res;
}

exports.stringifyString = stringifyString;


/***/ }),

/***/ 204:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

"use strict";


var identity = __nccwpck_require__(1127);

const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove node');
/**
 * Apply a visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
function visit(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        visit_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current node */
visit.SKIP = SKIP;
/** Remove the current node */
visit.REMOVE = REMOVE;
function visit_(key, node, visitor, path) {
    const ctrl = callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visit_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = visit_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = visit_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = visit_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
/**
 * Apply an async visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `Promise`: Must resolve to one of the following values
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
async function visitAsync(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = await visitAsync_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        await visitAsync_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visitAsync.BREAK = BREAK;
/** Do not visit the children of the current node */
visitAsync.SKIP = SKIP;
/** Remove the current node */
visitAsync.REMOVE = REMOVE;
async function visitAsync_(key, node, visitor, path) {
    const ctrl = await callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visitAsync_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = await visitAsync_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = await visitAsync_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = await visitAsync_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
function initVisitor(visitor) {
    if (typeof visitor === 'object' &&
        (visitor.Collection || visitor.Node || visitor.Value)) {
        return Object.assign({
            Alias: visitor.Node,
            Map: visitor.Node,
            Scalar: visitor.Node,
            Seq: visitor.Node
        }, visitor.Value && {
            Map: visitor.Value,
            Scalar: visitor.Value,
            Seq: visitor.Value
        }, visitor.Collection && {
            Map: visitor.Collection,
            Seq: visitor.Collection
        }, visitor);
    }
    return visitor;
}
function callVisitor(key, node, visitor, path) {
    if (typeof visitor === 'function')
        return visitor(key, node, path);
    if (identity.isMap(node))
        return visitor.Map?.(key, node, path);
    if (identity.isSeq(node))
        return visitor.Seq?.(key, node, path);
    if (identity.isPair(node))
        return visitor.Pair?.(key, node, path);
    if (identity.isScalar(node))
        return visitor.Scalar?.(key, node, path);
    if (identity.isAlias(node))
        return visitor.Alias?.(key, node, path);
    return undefined;
}
function replaceNode(key, path, node) {
    const parent = path[path.length - 1];
    if (identity.isCollection(parent)) {
        parent.items[key] = node;
    }
    else if (identity.isPair(parent)) {
        if (key === 'key')
            parent.key = node;
        else
            parent.value = node;
    }
    else if (identity.isDocument(parent)) {
        parent.contents = node;
    }
    else {
        const pt = identity.isAlias(parent) ? 'alias' : 'scalar';
        throw new Error(`Cannot replace node with ${pt} parent`);
    }
}

exports.visit = visit;
exports.visitAsync = visitAsync;


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
// This entry need to be wrapped in an IIFE because it need to be in strict mode.
(() => {
"use strict";

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = require("node:fs");
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
function text_printable(text, max = 200) {
    let out = '';
    for (const ch of text.slice(0, max)) {
        const c = ch.charCodeAt(0);
        out += c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
    }
    return text.length > max ? `${out}…` : out;
}

;// CONCATENATED MODULE: ./src/common/inputs.ts


/**
 * Reading action inputs with errors that name the input and say what is wrong with its value.
 * The reader is injected (GitHub's INPUT_* variables for actions, options for the CLI), so the
 * parsing rules are the same everywhere and unit-testable.
 */
class inputs_InputError extends Error {
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
            throw new inputs_InputError(name, 'is required but was not given');
        return value;
    }
    /** A single-line value: no newline or control character can hide in it. */
    line(name, fallback = '') {
        const value = this.string(name, fallback);
        if (hasControlCharacter(value))
            throw new inputs_InputError(name, `must be a single line without control characters, got ${this.show(name, value)}`);
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
        throw new inputs_InputError(name, `must be true or false, got ${JSON.stringify(value)}`);
    }
    integer(name, fallback, bounds = {}) {
        const value = this.string(name);
        if (value === '')
            return fallback;
        if (!/^-?\d+$/.test(value))
            throw new inputs_InputError(name, `must be a whole number, got ${JSON.stringify(value)}`);
        const number = Number(value);
        if (bounds.min !== undefined && number < bounds.min)
            throw new inputs_InputError(name, `must be at least ${bounds.min}, got ${number}`);
        if (bounds.max !== undefined && number > bounds.max)
            throw new inputs_InputError(name, `must be at most ${bounds.max}, got ${number}`);
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
            throw new inputs_InputError(name, `must be a duration such as 90, 90s, 5m or 1h30m, got ${JSON.stringify(value)}`);
        }
        if (ms < minMs)
            throw new inputs_InputError(name, `must be at least ${formatMs(minMs)}, got ${JSON.stringify(value)}`);
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
        throw new inputs_InputError(name, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
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
            throw new inputs_InputError(name, 'is required but was not given');
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
                throw new inputs_InputError(name, `each line must be KEY=VALUE, got ${which}`);
            const key = line.slice(0, eq).trim();
            const value = line.slice(eq + 1);
            if (!ENV_NAME.test(key))
                throw new inputs_InputError(name, `${isSecretInput(name) ? `the name on line ${index + 1}` : JSON.stringify(key)} is not a valid variable name (letters, digits and _; not starting with a digit)`);
            if (seen.has(key))
                throw new inputs_InputError(name, `${key} is given more than once`);
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
        if (error instanceof inputs_InputError)
            throw error;
        // A parser's message may quote the value: a secret input's error says only that it is invalid.
        if (isSecretInput(name))
            throw new inputs_InputError(name, 'is not valid (a secret value, not shown)');
        throw new inputs_InputError(name, error instanceof Error ? error.message : String(error));
    }
}
/** A value that becomes a positional argument cannot start with "-" (it would be read as an option). */
function refuseOption(name, value) {
    if (value.startsWith('-'))
        throw new inputs_InputError(name, `${JSON.stringify(value)} starts with "-", which the command would read as an option`);
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
function reference_repositoryName(ref) {
    return `${ref.registry}/${ref.repository}`;
}
/** The canonical full form: registry/repository[:tag][@digest]. */
function reference_formatReference(ref) {
    return `${reference_repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
/** The short form docker prints ("nginx:1", "ghcr.io/o/app:1"). */
function familiarName(ref) {
    let name = reference_repositoryName(ref);
    if (ref.registry === DEFAULT_REGISTRY) {
        name = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
    }
    return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
function withTag(ref, tag) {
    if (!TAG_RE.test(tag))
        throw new InvalidReferenceError(`${reference_repositoryName(ref)}:${tag}`, `the tag ${JSON.stringify(tag)} is invalid`);
    return { registry: ref.registry, repository: ref.repository, tag };
}
function withDigest(ref, digest) {
    if (!SHA256_RE.test(digest))
        throw new InvalidReferenceError(`${reference_repositoryName(ref)}@${digest}`, 'a sha256 digest must be 64 lowercase hex characters');
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
            throw new inputs_InputError('platforms', `${JSON.stringify(platform)} is not os/arch[/variant] (e.g. linux/arm64)`);
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
            ref = reference_formatReference(reference_parseReference(line));
        }
        catch (error) {
            throw new inputs_InputError(input, `${JSON.stringify(line)}: ${error.message}`);
        }
        return { type: 'registry', attrs: [['ref', ref]] };
    }
    let fields;
    try {
        fields = splitCsv(line);
    }
    catch (error) {
        throw new inputs_InputError(input, `${JSON.stringify(line)}: ${error.message}`);
    }
    // Credentials in a cache attribute would ride on buildx's command line (visible in `ps`, echoed
    // in its errors): refused, naming only the key, never the value.
    for (const field of fields) {
        const key = field
            .slice(0, Math.max(field.indexOf('='), 0))
            .trim()
            .toLowerCase();
        if (CREDENTIAL_ATTRS.includes(key))
            throw new inputs_InputError(input, `${key}= would put a credential on the buildx command line: leave it out and give it in the environment (ACTIONS_RUNTIME_TOKEN for type=gha, AWS_* for type=s3, AZURE_STORAGE_* for type=azblob)`);
    }
    let type = '';
    const attrs = [];
    for (const field of fields) {
        const eq = field.indexOf('=');
        if (eq <= 0)
            throw new inputs_InputError(input, `${JSON.stringify(field)} is not key=value (in ${JSON.stringify(line)})`);
        const key = field.slice(0, eq).trim().toLowerCase();
        const value = field.slice(eq + 1).trim();
        if (key === 'type')
            type = value;
        else
            attrs.push([key, value]);
    }
    if (!type)
        throw new inputs_InputError(input, `${JSON.stringify(line)} has no type= (registry, gha, local, inline…)`);
    if (!CACHE_TYPES.includes(type))
        throw new inputs_InputError(input, `type=${type} is not a cache type buildx knows (${CACHE_TYPES.join(', ')})`);
    const needed = REQUIRED[type]?.[input === 'cache-from' ? 'from' : 'to'];
    if (needed && !attrs.some(([k]) => k === needed))
        throw new inputs_InputError(input, `type=${type} needs ${needed}=… (in ${JSON.stringify(line)})`);
    if (type === 'registry') {
        const ref = attrs.find(([k]) => k === 'ref')?.[1] ?? '';
        try {
            reference_parseReference(ref);
        }
        catch (error) {
            throw new inputs_InputError(input, `ref=${ref}: ${error.message}`);
        }
    }
    if (type === 'inline' && input === 'cache-from')
        throw new inputs_InputError(input, 'type=inline is a cache-to type; import an inline cache with type=registry,ref=IMAGE');
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
        throw new inputs_InputError('annotations', `each line must be [type:]key=value, got ${JSON.stringify(line)}`);
    for (const level of (match[1] ?? '').split(',').filter(Boolean)) {
        const name = level.replace(/\[.*$/, '');
        if (!ANNOTATION_LEVELS.includes(name))
            throw new inputs_InputError('annotations', `${JSON.stringify(name)} is not one of ${ANNOTATION_LEVELS.join(', ')}`);
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
        return new inputs_InputError('platforms', `${needs.platforms.join(', ')}: ${which} builds one platform at a time; ${NEEDS_BUILDER}`);
    const exported = needs.cacheTo.find((c) => c.type !== 'inline');
    if (exported)
        return new inputs_InputError('cache-to', `type=${exported.type}: ${which} cannot export a cache (only type=inline); ${NEEDS_BUILDER}`);
    if (attestationOn(needs.provenance))
        return new inputs_InputError('provenance', `${which} cannot attach attestations; ${NEEDS_BUILDER}`);
    if (attestationOn(needs.sbom))
        return new inputs_InputError('sbom', `${which} cannot attach attestations; ${NEEDS_BUILDER}`);
    if (needs.annotations.length > 0)
        return new inputs_InputError('annotations', `${which} drops annotations; ${NEEDS_BUILDER}`);
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

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = require("node:crypto");
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
        throw new inputs_InputError('context', `${JSON.stringify(context)} is not a directory (from ${process.cwd()})`);
    return context;
}
function readVersionPrefix(inputs) {
    const prefix = inputs.line('version-prefix');
    if (prefix && !isValidVersionPrefix(prefix))
        throw new inputs_InputError('version-prefix', `${JSON.stringify(prefix)} is not a tag prefix (letters, digits, _ . -, starting with a letter or digit, at most 48)`);
    return prefix;
}
function readBuildRequest(inputs) {
    const repositories = inputs.parsedList('image', (v) => reference_parseReference(v, { lowercase: true, repositoryOnly: true }), {
        required: true,
    });
    const target = inputs.line('target');
    if (target && !STAGE.test(target))
        throw new inputs_InputError('target', `${JSON.stringify(target)} is not a stage name`);
    const secrets = inputs.list('secrets').map((line) => {
        const eq = line.indexOf('=');
        const id = eq > 0 ? line.slice(0, eq).trim() : '';
        if (!SECRET_ID.test(id))
            throw new inputs_InputError('secrets', 'each line must be id=VALUE with an id of letters, digits, . _ -');
        return [id, line.slice(eq + 1)];
    });
    const labels = inputs.list('labels').map((line) => {
        const eq = line.indexOf('=');
        if (eq <= 0)
            throw new inputs_InputError('labels', `each line must be KEY=VALUE, got ${JSON.stringify(line)}`);
        return [line.slice(0, eq).trim(), line.slice(eq + 1)];
    });
    const file = inputs.line('file');
    const buildx = readBuildxRequest(inputs);
    const cacheFrom = buildx
        ? buildx.cacheFrom.map(formatCacheEntry)
        : inputs.parsedList('cache-from', (v) => reference_formatReference(reference_parseReference(v)));
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
        throw new inputs_InputError('builder', `${JSON.stringify(builder)} is not a builder name (docker buildx ls)`);
    const cacheFromLines = inputs.list('cache-from');
    const cacheFrom = cacheFromLines.map((line) => parseCacheEntry('cache-from', line));
    const cacheTo = inputs.list('cache-to').map((line) => parseCacheEntry('cache-to', line));
    const push = inputs.boolean('push', false);
    const pushByDigest = inputs.boolean('push-by-digest', false);
    if (pushByDigest && !push)
        throw new inputs_InputError('push-by-digest', 'needs push: true (it says how the image is pushed: by digest, no tag)');
    const attestation = (name) => {
        const value = inputs.line(name);
        if (value && !ATTESTATION.test(value))
            throw new inputs_InputError(name, `${JSON.stringify(value)} is not true, false or buildx attributes (mode=max, generator=IMAGE…)`);
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
            throw new inputs_InputError('tags', error.message);
        }
    });
    const tagPlan = uniqueTags([...defaultTagPlan(ctx, request.versionPrefix), ...extra]);
    const tags = tagPlan.map((t) => t.tag);
    const references = request.repositories.flatMap((repo) => tags.map((t) => reference_formatReference(withTag(repo, t))));
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
    return dockerCommand(target, [
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
    return dockerCommand(target, ['tag', source, destination]);
}
function push(target, ref) {
    return dockerCommand(target, ['push', ref]);
}
function pull(target, ref) {
    return dockerCommand(target, ['pull', '--quiet', ref]);
}
/** docker login with the password on stdin (never argv). */
function login(target, registry, username, password) {
    return dockerCommand(target, ['login', '--username', username, '--password-stdin', registry], {
        stdin: password,
        label: `docker login ${registry} as ${username}`,
    });
}
function logout(target, registry) {
    return dockerCommand(target, ['logout', registry]);
}
function removeImage(target, image) {
    return cmd(target, ['image', 'rm', image]);
}
/** The repository digests the engine knows an image by (JSON: a list, or null). */
function repoDigests(target, image) {
    return cmd(target, ['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
}

;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = require("node:stream");
;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = require("node:stream/promises");
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
function http_discard(res) {
    drain(res.body, res.method);
}
function http_header(res, name) {
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
        return `"${text_printable(value, 80)}"`;
    if (value === undefined)
        return 'nothing';
    let text;
    try {
        text = JSON.stringify(value) ?? String(value);
    }
    catch {
        text = String(value);
    }
    return text_printable(text, 80);
}
function descriptor_isDigest(value) {
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
    if (!descriptor_isDigest(value))
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
        throw new InvalidContentError(`${what} is not valid JSON (${text_printable(error instanceof Error ? error.message : String(error), 120)})`);
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









const client_MEDIA_TYPES = {
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    ociIndex: 'application/vnd.oci.image.index.v1+json',
};
/** Everything we can copy, so a registry never falls back to (or rewrites into) schema 1. */
const MANIFEST_ACCEPT = [
    client_MEDIA_TYPES.ociIndex,
    client_MEDIA_TYPES.dockerManifestList,
    client_MEDIA_TYPES.ociManifest,
    client_MEDIA_TYPES.dockerManifest,
].join(', ');
class client_RegistryError extends Error {
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
    if (error instanceof client_RegistryError)
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
        http_discard(res);
        return res.status === 200 || res.status === 401;
    }
    catch {
        return false;
    }
}
const client_pullScope = (repository) => `repository:${repository}:pull`;
const client_pushScope = (repository) => `repository:${repository}:pull,push`;
function client_sha256(bytes) {
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
        if (error instanceof client_RegistryError)
            return error;
        const cause = classifyNetworkError(error);
        return new client_RegistryError(`${this.label}: ${cause.text}${what ? ` (${what})` : ''}`, 0, undefined, cause.transient);
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
                http_discard(res);
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
                        http_discard(res);
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
            throw new client_RegistryError(`${this.label}: bearer challenge without a realm`, 401);
        const url = new URL(this.realm);
        if (this.service)
            url.searchParams.set('service', this.service);
        for (const scope of scopes)
            url.searchParams.append('scope', scope);
        const c = await this.creds();
        const headers = {};
        if (c) {
            if (!this.credentialsMayGoTo(url))
                throw new client_RegistryError(`${this.label}: refusing to send credentials over plain HTTP to the token server ${url.host} (list the registry in insecure to allow it)`, 401);
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
            throw new client_RegistryError(refused && c
                ? `${this.label}: credentials refused by the token server ${url.host} (${res.status})`
                : `${this.label}: the token server ${url.host} refused ${scopes.join(' ')} (${res.status})${c ? '' : ' — no credentials were given or found for this registry'}`, refused ? res.status : 401);
        }
        let json;
        try {
            json = parseJsonObject(body, `${this.label}: the answer of the token server ${url.host}`);
        }
        catch (error) {
            throw new client_RegistryError(error.message, 401, undefined, false);
        }
        const value = typeof json.token === 'string' ? json.token : json.access_token;
        // A token goes into a header: Node refuses one with control characters, with a bare TypeError.
        if (typeof value !== 'string' || value === '' || !/^[\x21-\x7e]+$/.test(value))
            throw new client_RegistryError(`${this.label}: the token server ${url.host} returned no usable token`, 401);
        const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60;
        return { value, expiresAt: Date.now() + expiresIn * 1000 };
    }
    learnChallenge(res) {
        const challenge = parseChallenge(http_header(res, 'www-authenticate') ?? '');
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
                throw new client_RegistryError(`${this.label}: refusing to send credentials over plain HTTP to ${url.host} (not listed in insecure)`, 401);
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
                http_discard(res);
                reauthenticated = true;
                const before = this.scheme;
                this.learnChallenge(res);
                if (this.scheme === 'bearer')
                    await this.token(req.scopes, true);
                if (this.scheme === 'basic' && !(await this.creds())) {
                    throw new client_RegistryError(`${this.label}: authentication required and no credentials were given or found`, 401);
                }
                // Refused only when this request carried the credentials: requests sent at once before
                // the first challenge was learnt all meet it, and each is sent again with them.
                if (before === this.scheme && this.scheme === 'basic' && authorization) {
                    throw new client_RegistryError(`${this.label}: credentials refused (401)`, 401);
                }
                attempt -= 1;
                continue;
            }
            if (res.status === 401 && authorization) {
                http_discard(res);
                throw new client_RegistryError(this.scheme === 'basic'
                    ? `${this.label}: credentials refused (401)`
                    : `${this.label}: access refused (401) for ${req.method} ${url.pathname}: the token does not grant ${req.scopes.join(' ')}`, 401);
            }
            if (replayable && retry_isRetryableStatus(res.status) && attempt < policy.retries) {
                const delay = retryDelayMs(attempt + 1, policy, http_header(res, 'retry-after'));
                http_discard(res);
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
        detail = text_printable(detail, 500);
        if (typeof code !== 'string')
            code = undefined;
        throw new client_RegistryError(`${this.label}: ${what} failed (${res.status})${res.status === 401 ? ' — authentication required and no credentials were given or found' : ''}${detail ? `: ${detail}` : ''}`, res.status, code);
    }
    async headManifest(repository, reference) {
        const res = await this.send({
            method: 'HEAD',
            path: `${repository}/manifests/${reference}`,
            scopes: [client_pullScope(repository)],
            headers: { accept: MANIFEST_ACCEPT },
        });
        http_discard(res);
        if (res.status === 404)
            return undefined;
        await this.expect(res, [200], `HEAD manifest ${repository}:${reference}`);
        const digest = http_header(res, 'docker-content-digest');
        if (!digest) {
            // Some registries omit the digest on HEAD: fall back to GET and hash.
            const manifest = await this.getManifest(repository, reference);
            return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
        }
        if (!descriptor_isDigest(digest))
            throw new client_RegistryError(`${this.label}: HEAD manifest ${repository}:${reference}: Docker-Content-Digest ${shown(digest)} is not a digest`, 502, undefined, false);
        const mediaType = contentType(res);
        const size = Number(http_header(res, 'content-length') ?? 0);
        return {
            digest,
            mediaType: isMediaType(mediaType) ? mediaType : '',
            size: Number.isSafeInteger(size) && size >= 0 ? size : 0,
        };
    }
    /** The manifest's exact bytes; a digest reference is verified against the bytes. */
    async getManifest(repository, reference, scopes = [client_pullScope(repository)]) {
        const res = await this.send({
            method: 'GET',
            path: `${repository}/manifests/${reference}`,
            scopes,
            headers: { accept: MANIFEST_ACCEPT },
        });
        await this.expect(res, [200], `GET manifest ${repository}:${reference}`);
        const bytes = await this.read(res, MAX_MANIFEST_BYTES, `GET manifest ${repository}:${reference}`);
        const digest = client_sha256(bytes);
        if (reference.startsWith('sha256:') && digest !== reference) {
            throw new client_RegistryError(`${this.label}: ${repository}: manifest ${reference} has digest ${digest}`, 502);
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
            scopes: [client_pushScope(repository)],
            headers: { 'content-type': manifest.mediaType },
            body: manifest.bytes,
        });
        await this.expect(res, [200, 201], `PUT manifest ${repository}:${reference}`);
        http_discard(res);
        const stored = http_header(res, 'docker-content-digest');
        if (stored === undefined)
            return client_sha256(manifest.bytes);
        if (!descriptor_isDigest(stored))
            throw new client_RegistryError(`${this.label}: PUT manifest ${repository}:${reference}: Docker-Content-Digest ${shown(stored)} is not a digest`, 502, undefined, false);
        return stored;
    }
}
/** The largest manifest read (distribution's own limit is 4 MiB). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** The Content-Type's media type, parameters dropped ('' when none). */
function contentType(res) {
    return (http_header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
}
function mediaTypeOf(bytes) {
    try {
        const parsed = JSON.parse(bytes.toString('utf8'));
        if (isMediaType(parsed.mediaType))
            return parsed.mediaType;
        return parsed.manifests ? client_MEDIA_TYPES.ociIndex : client_MEDIA_TYPES.ociManifest;
    }
    catch {
        return client_MEDIA_TYPES.ociManifest;
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
const EVERY_BYTES = 1024 * 1024;
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

;// CONCATENATED MODULE: ./src/registry/blobs.ts
/**
 * Blob operations of the distribution API on a RegistryClient: existence, cross-repository
 * mount, and uploads streamed from a source (monolithic PUT, or chunked PATCH for registries
 * that need it), hashed on the fly and never buffered whole.
 */







const CHUNK_SIZE = (/* unused pure expression or super */ null && (16 * 1024 * 1024));
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
        scopes: [client_pullScope(repository)],
    });
    http_discard(res);
    if (res.status === 404)
        return false;
    await client.expect(res, [200], `HEAD blob ${repository}@${digest}`);
    return true;
}
async function openBlob(client, repository, digest) {
    const res = await client.send({
        method: 'GET',
        path: `${repository}/blobs/${digest}`,
        scopes: [client_pullScope(repository)],
    });
    return client.expect(res, [200], `GET blob ${repository}@${digest}`);
}
function uploadUrl(res, base, label = 'registry') {
    const location = http_header(res, 'location');
    if (!location)
        throw new client_RegistryError(`${label}: upload answered ${res.status} without a Location`, res.status);
    try {
        return new URL(location, base).toString();
    }
    catch {
        throw new client_RegistryError(`${label}: upload answered ${res.status} with an unusable Location`, 502);
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
            scopes: [pushScope(repository)],
            signal: AbortSignal.timeout(CANCEL_UPLOAD_TIMEOUT_MS),
        });
        discard(res);
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
        scopes: [pushScope(repository), pullScope(from)],
    });
    discard(res);
    if (res.status === 201)
        return { mounted: true };
    await client.expect(res, [202], `mount ${digest} from ${from} into ${repository}`);
    return { mounted: false, uploadUrl: uploadUrl(res, await client.base(), client.label) };
}
async function startUpload(client, repository) {
    const res = await client.send({
        method: 'POST',
        path: `${repository}/blobs/uploads/`,
        scopes: [client_pushScope(repository)],
    });
    http_discard(res);
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
        this.hash = (0,external_node_crypto_namespaceObject.createHash)(check.digest.slice(0, check.digest.indexOf(':')));
        this.watch = watchStall(() => {
            const blocked = this.readableLength >= this.readableHighWaterMark;
            this.fail(new client_RegistryError(`${check.stalled(blocked)} (${stallWindowText()})`, 0, 'ETIMEDOUT', true));
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
            callback(this.fail(new client_RegistryError(`${this.check.what} is longer than its descriptor's ${this.check.size} bytes; nothing past them was sent`, 502, undefined, false)));
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
            callback(this.fail(new client_RegistryError(`${this.check.what} ended after ${this.bytes} of its ${this.check.size} bytes`, 502, undefined, false)));
            return;
        }
        const actual = `${this.check.digest.slice(0, this.check.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
        if (actual !== this.check.digest) {
            callback(this.fail(new client_RegistryError(`${this.check.what} hashed to ${actual}`, 502)));
            return;
        }
        callback();
    }
    _destroy(error, callback) {
        this.watch.stop();
        callback(error);
    }
}
function blobs_withDigest(url, digest) {
    const u = new URL(url);
    u.searchParams.set('digest', digest);
    return u.toString();
}
/** Monolithic upload: one PUT carrying the whole blob as a stream. */
async function putBlobStream(client, repository, upload, digest, size, body) {
    return client.send({
        method: 'PUT',
        path: blobs_withDigest(upload, digest),
        scopes: [pushScope(repository)],
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
            scopes: [pushScope(repository)],
            headers: {
                'content-type': 'application/octet-stream',
                'content-range': `${offset}-${offset + chunk.length - 1}`,
                'content-length': String(chunk.length),
            },
            body: chunk,
        });
        discard(res);
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
        path: blobs_withDigest(url, digest),
        scopes: [pushScope(repository)],
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
        const length = header(res, 'content-length');
        if (length !== undefined && Number(length) !== size) {
            res.body.destroy();
            throw new RegistryError(`${what}: its Content-Length is ${Number(length)}, its descriptor says ${size} bytes`, 502, undefined, false);
        }
        // The source response streams through the verifier into the PUT (or the chunker).
        const verified = new VerifiedBlob(check);
        // Before the pipeline's own listener: the source's error is recorded as the source's first.
        res.body.once('error', (error) => {
            if (!source.client.signal?.aborted)
                verified.sourceFailed(source.client.networkError(error, `GET blob ${digest} of ${source.repository}`));
        });
        pipeline(res.body, verified, () => { });
        let putting = chunked
            ? putBlobChunked(destination.client, destination.repository, upload, digest, verified)
            : putBlobStream(destination.client, destination.repository, upload, digest, size, verified);
        const piping = finished(verified);
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
                discard(put.value);
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
        discard(monolithic.res);
        return { bytes: monolithic.bytes, chunked: false };
    }
    if (![400, 405, 413, 415, 416].includes(monolithic.res.status)) {
        await destination.client.expect(monolithic.res, [201], `PUT blob ${digest} to ${destination.repository}`);
    }
    discard(monolithic.res);
    const chunked = await attempt(true, startUpload(destination.client, destination.repository));
    await destination.client.expect(chunked.res, [201], `chunked upload of ${digest} to ${destination.repository}`);
    discard(chunked.res);
    return { bytes: chunked.bytes, chunked: true };
}
/** Uploads a small blob held in memory (monolithic POST + PUT), unless the repository has it already. */
async function blobs_putBlobBytes(client, repository, bytes) {
    const digest = `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(bytes).digest('hex')}`;
    if (await blobExists(client, repository, digest))
        return { digest, size: bytes.length };
    const upload = await startUpload(client, repository);
    const res = await client.send({
        method: 'PUT',
        path: blobs_withDigest(upload, digest),
        scopes: [client_pushScope(repository)],
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        body: bytes,
    });
    await client.expect(res, [201], `PUT blob ${digest} to ${repository}`);
    http_discard(res);
    return { digest, size: bytes.length };
}

;// CONCATENATED MODULE: ./src/registry/image-tree.ts
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
const MAX_TREE_MANIFEST_BYTES = (/* unused pure expression or super */ null && (64 * 1024 * 1024));
/** Child manifests fetched at once. */
const TREE_FETCH_CONCURRENCY = 8;
function image_tree_isIndex(manifest) {
    if (manifest.mediaType === client_MEDIA_TYPES.ociIndex || manifest.mediaType === client_MEDIA_TYPES.dockerManifestList)
        return true;
    // Only its shape: what is wrong in it is said where it is read (with the registry and digest).
    try {
        return Array.isArray(parseJsonObject(manifest.bytes, 'manifest').manifests);
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
    const json = parseJsonObject(bytes, what);
    if (json.schemaVersion === 1) {
        throw new InvalidContentError(`${what}: schema 1 manifests are not supported (the registry rewrote the image; ask it with a full Accept list)`);
    }
    checkDescriptors(json.manifests, `${what}: manifests`);
    if (json.config !== undefined)
        checkDescriptor(json.config, `${what}: config`);
    checkDescriptors(json.layers, `${what}: layers`);
    return json;
}
/** How errors name a manifest read from `client`: role, registry, repository and digest. */
function manifestName(client, repository, digest) {
    return `${client.label}: ${repository}@${digest}`;
}
/** "os/arch[/variant]" of an index entry, printable (a registry wrote it). */
function platformOf(d) {
    const p = d.platform;
    const field = (value) => text_printable(String(value ?? '?'), 40);
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
function image_tree_platformImages(index) {
    return (parseManifest(index.bytes, 'index').manifests ?? [])
        .filter((d) => !isAttestation(d))
        .map((d) => ({ digest: d.digest, platform: platformOf(d) }));
}
/**
 * Reads the whole tree below `root` from the source: each distinct child fetched once (an index
 * may list one many times), a few at a time, within MAX_TREE_MANIFESTS and MAX_TREE_MANIFEST_BYTES.
 */
async function image_tree_readImageTree(client, repository, root) {
    const manifests = [];
    const blobs = new Map();
    const seen = new Set([root.digest]);
    let bytes = root.bytes.length;
    const limit = (what) => new RegistryError(`${manifestName(client, repository, root.digest)}: the image has ${what}; refusing to read it`, 0, undefined, false);
    const visit = async (manifest) => {
        const json = parseManifest(manifest.bytes, manifestName(client, repository, manifest.digest));
        if (Array.isArray(json.manifests)) {
            const fresh = [...new Set(json.manifests.map((d) => d.digest))].filter((d) => !seen.has(d));
            for (const digest of fresh)
                seen.add(digest);
            if (seen.size > MAX_TREE_MANIFESTS)
                throw limit(`more than ${MAX_TREE_MANIFESTS} manifests (MAX_TREE_MANIFESTS)`);
            const children = await runPool(fresh.map((digest) => async () => {
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
async function image_tree_selectPlatform(client, repository, index, platform) {
    const json = parseManifest(index.bytes, manifestName(client, repository, index.digest));
    const match = json.manifests?.find((d) => platformOf(d) === platform || platformOf(d).startsWith(`${platform}/`));
    if (!match) {
        const offered = (json.manifests ?? []).map(platformOf).join(', ');
        throw new Error(`${repository}@${index.digest} has no ${platform} image (it has: ${offered || 'none'}); pick one of them with platform, or copy every platform`);
    }
    return client.getManifest(repository, match.digest);
}

;// CONCATENATED MODULE: ./src/registry/resolve.ts
/** Resolving a tag to the digest a registry serves for it. */


/** A client; a loopback registry may answer plain HTTP (the client knows), and no certificate check is skipped. */
function resolve_clientFor(registry, options = {}) {
    return new RegistryClient(registry, options);
}
/** The digest a reference resolves to now (its own digest when it has one). */
async function resolve_resolveDigest(ref, options = {}) {
    if (ref.digest)
        return ref.digest;
    const client = resolve_clientFor(ref.registry, options);
    const manifest = await client.headManifest(ref.repository, ref.tag ?? 'latest');
    return manifest?.digest;
}
async function resolveReferenceDigest(text, options = {}) {
    return resolve_resolveDigest(parseReference(text), options);
}
/** A tag the registry already serves for other content, which would move (the whole operation is refused). */
class TagConflictError extends Error {
    constructor(destination, tag, current, wanted, how = 'set allow-overwrite: true to move it') {
        super(`${destination}:${tag} already points to ${current}, not to ${wanted}; refusing to move it (${how})`);
        this.name = 'TagConflictError';
    }
}

;// CONCATENATED MODULE: ./src/registry/image-config.ts




async function configOf(client, repository, manifestDigest, bytes) {
    const config = parseManifest(bytes).config;
    if (!config)
        throw new Error(`${repository}@${manifestDigest} has no image configuration`);
    const body = await readBody(await openBlob(client, repository, config.digest), 4 * 1024 * 1024);
    const json = JSON.parse(body.toString('utf8'));
    return { configDigest: config.digest, labels: json.config?.Labels ?? {} };
}
/** The labels of an image (of its linux/amd64 image when the reference is an index); undefined when absent. */
async function readImageConfig(ref, options = {}, platform = 'linux/amd64') {
    const client = clientFor(ref.registry, options);
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const head = await client.headManifest(ref.repository, reference);
    if (!head)
        return undefined;
    let manifest = await client.getManifest(ref.repository, head.digest);
    if (isIndex(manifest))
        manifest = await selectPlatform(client, ref.repository, manifest, platform);
    const { configDigest, labels } = await configOf(client, ref.repository, manifest.digest, manifest.bytes);
    return { digest: head.digest, configDigest, labels };
}
/**
 * Every runnable image under a reference with its configuration: one for a single manifest, one
 * per platform for an index (Docker 29 pushes an index with an attestation manifest even for a
 * one-platform build; attestations are left out). Undefined when the registry does not serve it.
 */
async function readImageConfigs(ref, options = {}) {
    const client = resolve_clientFor(ref.registry, options);
    const head = await client.headManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
    if (!head)
        return undefined;
    const root = await client.getManifest(ref.repository, head.digest);
    if (!image_tree_isIndex(root)) {
        const config = await configOf(client, ref.repository, root.digest, root.bytes);
        return {
            digest: head.digest,
            index: false,
            images: [{ platform: 'unknown', manifestDigest: root.digest, ...config }],
        };
    }
    const images = await Promise.all(image_tree_platformImages(root).map(async ({ digest, platform }) => {
        const manifest = await client.getManifest(ref.repository, digest);
        const config = await configOf(client, ref.repository, digest, manifest.bytes);
        return { platform, manifestDigest: digest, ...config };
    }));
    return { digest: head.digest, index: true, images };
}

;// CONCATENATED MODULE: ./src/push-registry/tag-rules.ts
/**
 * What a push may do to each tag, decided from where the tag came from (recorded in the image's
 * labels by build-and-tag, or named in `immutable-tags`) and what the registry serves for it now.
 * Pure: unit-tested without a registry.
 * - An immutable tag (the build's version, a release's X.Y.Z) never moves to another image. A
 *   rerun (GITHUB_RUN_ATTEMPT > 1) whose rebuild is another image than its first attempt pushed
 *   gets its own version, <version>.<attempt>, instead of failing.
 * - A release line (X.Y and X of the release the image records) moves forward only: a back-port
 *   (1.0.5 after 1.1.1) leaves `1` where it is.
 * - Every other tag (latest, branches, sha-<7>, pr-N, templates) moves: a branch named like a
 *   version (20240115-hotfix, 1.2.3) is a branch.
 */


const RELEASE_LABEL = 'org.opencontainers.image.version';
/** The run that built an image (its URL: the same for every attempt of a run). */
const RUN_LABEL = 'dev.slipway.run';
function tagRules(labels, extraImmutable, attempt, allowOverwrite) {
    const version = labels[VERSION_LABEL] || undefined;
    const releaseText = labels[RELEASE_LABEL];
    const release = releaseText && releaseText !== version ? parseSemver(releaseText) : undefined;
    const run = labels[RUN_LABEL] || undefined;
    const immutable = new Set(extraImmutable);
    if (version)
        immutable.add(version);
    if (release)
        immutable.add(formatSemver(release));
    return {
        ...(version && { version }),
        ...(release && { release }),
        ...(run && { run }),
        immutable,
        releaseLines: new Set(release ? releaseLines(release) : []),
        attempt,
        allowOverwrite,
    };
}
/** Is what the registry serves the image being pushed (its ID: config digest, or the containerd store's manifest digest)? */
function isSameImage(served, localImageId) {
    return served.digest === localImageId || served.configDigests.includes(localImageId);
}
/** What an image says it is: its version and, when it is a release, its release (from its labels). */
function recorded(labels) {
    const version = labels[VERSION_LABEL] || undefined;
    const text = labels[RELEASE_LABEL];
    const release = text && text !== version ? parseSemver(text) : undefined;
    return { ...(version && { version }), ...(release && { release }) };
}
/** Is `tag` X.Y or X of `release` (a release, not a pre-release)? */
function isLineOf(tag, release) {
    return releaseLines(release).includes(tag);
}
/**
 * What the push does with `tag`, given what the registry serves under it. A tag is immutable when
 * the image being pushed names it (its version, its release, immutable-tags) or when the image
 * served names it as its own (its version or its release): a branch called 20261207-42 or 1.2.3
 * never overwrites the build or the release of that name, and never blocks another branch.
 */
function decideTag(tag, rules, served, localImageId) {
    if (!served || isSameImage(served, localImageId))
        return { action: 'push' };
    const theirs = recorded(served.labels);
    const namesThem = tag === theirs.version || (theirs.release !== undefined && tag === formatSemver(theirs.release));
    if (rules.immutable.has(tag) || namesThem) {
        if (rules.allowOverwrite)
            return { action: 'push' };
        // A rerun: an attempt of the run that pushed what the registry serves.
        const sameRun = rules.attempt > 1 && rules.run !== undefined && served.labels[RUN_LABEL] === rules.run;
        if (sameRun && tag === rules.version) {
            const to = rerunVersion(tag, rules.attempt);
            if (to.length > MAX_TAG_LENGTH)
                return {
                    action: 'refuse',
                    current: served.digest,
                    hint: `this attempt's own version ${to} would be longer than ${MAX_TAG_LENGTH} characters; set allow-overwrite: true to move it`,
                };
            return {
                action: 'rename',
                to,
                reason: `attempt ${rules.attempt} of the run rebuilt another image than ${tag} (${served.digest}), which stays`,
            };
        }
        if (sameRun)
            return {
                action: 'keep',
                reason: `${tag} stays on ${served.digest}, which an earlier attempt of this run pushed (this attempt's rebuild is another image)`,
            };
        return {
            action: 'refuse',
            current: served.digest,
            ...(tag === rules.version &&
                served.labels[RUN_LABEL] !== rules.run && {
                hint: `another run built ${tag} (${JSON.stringify((served.labels[RUN_LABEL] ?? 'unknown').slice(0, 200))}, as the registry says): a second workflow pushing this repository needs its own version-prefix; set allow-overwrite: true to move it`,
            }),
        };
    }
    // A release line moves only to a newer release of its own line.
    if (theirs.release && isLineOf(tag, theirs.release)) {
        if (!rules.release || !rules.releaseLines.has(tag))
            return {
                action: 'keep',
                reason: `${tag} stays on ${formatSemver(theirs.release)}: only a newer release of its line moves it`,
            };
        if (compareSemver(theirs.release, rules.release) > 0)
            return {
                action: 'keep',
                reason: `${tag} stays on ${formatSemver(theirs.release)}, newer than ${formatSemver(rules.release)} (release lines only move forward)`,
            };
    }
    return { action: 'push' };
}

;// CONCATENATED MODULE: ./src/push-registry/push.ts
/**
 * Pushing tags with the docker CLI: login with the password on stdin into a private DOCKER_CONFIG,
 * retries with backoff on transient failures only, and the pushed digest read back from the
 * registry and compared with what docker reported.
 */














function readPushRequest(inputs) {
    const references = inputs.parsedList('tags', (v) => reference_parseReference(v), { required: true, commas: true });
    for (const ref of references) {
        if (ref.tag === undefined)
            throw new inputs_InputError('tags', `${reference_formatReference(ref)} has no tag to push`);
    }
    const registry = inputs
        .line('registry', references[0].registry)
        .replace(/^https?:\/\//, '')
        .replace(/\/+$/, '');
    if (!isRegistryHost(registry))
        throw new inputs_InputError('registry', `${JSON.stringify(registry)} is not a registry host[:port]`);
    const username = inputs.line('username');
    const password = inputs.string('password');
    if (username && !password)
        throw new inputs_InputError('password', 'is required when username is given');
    if (password && !username)
        throw new inputs_InputError('username', 'is required when password is given');
    return {
        references,
        registry,
        ...(username && { username }),
        ...(password && { password }),
        retries: inputs.integer('retries', 3, { min: 0, max: 10 }),
        logout: inputs.boolean('logout', true),
        allowOverwrite: inputs.boolean('allow-overwrite', false),
        immutableTags: inputs.list('immutable-tags', { commas: true }).map((tag) => {
            if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag))
                throw new inputs_InputError('immutable-tags', `${JSON.stringify(tag)} is not a tag`);
            return tag;
        }),
        attempt: Number(process.env.GITHUB_RUN_ATTEMPT) || 1,
    };
}
/** Decides from docker's output whether a failed push is worth retrying. Auth errors never are. */
function classifyPushFailure(output) {
    if (/unauthorized|authentication required|no basic auth credentials|denied|forbidden|\b401\b|\b403\b/i.test(output)) {
        return 'auth';
    }
    if (/\b5\d\d\b|\b429\b|\b408\b|toomanyrequests|too many requests|service unavailable|bad gateway|gateway time-?out|connection reset|broken pipe|i\/o timeout|TLS handshake timeout|unexpected EOF|\bEOF\b|connection refused/i.test(output)) {
        return 'transient';
    }
    return 'permanent';
}
/** What `docker push` printed: the manifest (or index) digest, and which layers it uploaded. */
function parsePushOutput(output) {
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(output)?.[1];
    const pushedLayers = [...output.matchAll(/^([a-f0-9]{12}): Pushed\s*$/gm)].map((m) => m[1]);
    // "Already exists" is the containerd image store's word (Docker 29), "Layer already exists" the classic one's.
    const existingLayers = [...output.matchAll(/^([a-f0-9]{12}): (?:Layer a|A)lready exists\s*$/gm)].map((m) => m[1]);
    return { ...(digest && { digest }), pushedLayers, existingLayers };
}
/** A private docker config directory, so no login is left in ~/.docker on self-hosted runners. */
function createPrivateDockerConfig(parent = process.env.RUNNER_TEMP ?? (0,external_node_os_namespaceObject.tmpdir)()) {
    const dir = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)(parent, 'slipway-docker-config-'));
    (0,external_node_fs_namespaceObject.chmodSync)(dir, 0o700);
    return dir;
}
function removePrivateDockerConfig(dir) {
    (0,external_node_fs_namespaceObject.rmSync)(dir, { recursive: true, force: true });
}
async function pushOne(runner, target, reference, policy, hooks) {
    for (let attempt = 1;; attempt++) {
        const result = await runner.run(push(target, reference), hooks.onOutput && { onOutput: hooks.onOutput });
        if (result.exitCode === 0)
            return { result, attempts: attempt };
        const output = `${result.stdout}\n${result.stderr}`;
        const kind = classifyPushFailure(output);
        const last = output.trim().split('\n').slice(-3).join('\n');
        if (kind === 'auth')
            throw new Error(`push of ${reference} was refused by the registry (not retried):\n${last}`);
        if (kind === 'permanent' || attempt > policy.retries) {
            throw new Error(`push of ${reference} failed after ${attempt} attempt(s):\n${last}`);
        }
        const delay = retryDelayMs(attempt, policy);
        hooks.onRetry?.(reference, attempt, delay, last);
        await sleep(delay);
    }
}
async function pushAll(runner, target, request, policy, hooks = {}) {
    const pushed = [];
    let retriesUsed = 0;
    for (const ref of request.references) {
        const reference = reference_formatReference(ref);
        const { result, attempts } = await pushOne(runner, target, reference, policy, hooks);
        retriesUsed += attempts - 1;
        const parsed = parsePushOutput(result.stdout);
        const verified = await verifyPushed(ref, request);
        if (parsed.digest && parsed.digest !== verified) {
            throw new Error(`${reference}: docker pushed ${parsed.digest} but the registry serves ${verified}`);
        }
        pushed.push({ reference, digest: verified, attempts, pushedLayers: parsed.pushedLayers });
    }
    const digests = new Set(pushed.map((p) => p.digest));
    if (digests.size > 1) {
        throw new Error(`the tags are not one image: ${pushed.map((p) => `${p.reference} → ${p.digest}`).join(', ')}`);
    }
    const digest = pushed[0]?.digest;
    const refs = [...new Set(request.references.map((r) => `${reference_repositoryName(r)}@${digest}`))];
    const bytesPushed = await pushedBytes(request, pushed);
    return { digest, refs, pushed, bytesPushed, retriesUsed };
}
function credentialsFor(ref, request) {
    return request.username && request.password && ref.registry === request.registry
        ? { credentials: { username: request.username, password: request.password } }
        : {};
}
/**
 * Before anything is pushed: what the registry serves for each tag that has a rule (an immutable
 * tag, a release line), and what the push does with it (see tag-rules). Refuses, naming both
 * images, to move an immutable tag to another image.
 */
async function planTagPush(runner, target, request) {
    const first = request.references[0];
    const local = JSON.parse((await runChecked(runner, inspectImage(target, reference_formatReference(first)))).stdout);
    const rules = tagRules(local.Config?.Labels ?? {}, request.immutableTags, request.attempt, request.allowOverwrite);
    /** What the registry serves under a reference now. */
    const servedAt = async (ref) => {
        const served = await readImageConfigs(ref, credentialsFor(ref, request));
        return (served && {
            digest: served.digest,
            configDigests: served.images.map((i) => i.configDigest),
            labels: served.images[0]?.labels ?? {},
        });
    };
    const conflict = (ref, current, hint) => new TagConflictError(reference_repositoryName(ref), ref.tag, current, `the local image ${local.Id}`, ...(hint ? [hint] : []));
    // Every tag: what is served under it may name it as its own version or release.
    const decisions = await Promise.all(request.references.map(async (ref) => decideTag(ref.tag, rules, await servedAt(ref), local.Id)));
    decisions.forEach((d, i) => {
        if (d.action === 'refuse')
            throw conflict(request.references[i], d.current, d.hint);
    });
    // A rerun's own version is the version in every repository, when one of them needed it.
    const rename = decisions.find((d) => d.action === 'rename');
    const references = [];
    const kept = [];
    const renamed = [];
    request.references.forEach((ref, i) => {
        const d = decisions[i];
        if (d.action === 'keep')
            kept.push({ reference: reference_formatReference(ref), reason: d.reason });
        else if (rename && ref.tag === rules.version) {
            const to = { ...ref, tag: rename.to };
            renamed.push({ from: reference_formatReference(ref), to: reference_formatReference(to), reason: rename.reason });
            references.push(to);
        }
        else
            references.push(ref);
    });
    // The rerun's own version names this image only: a third attempt never takes the second's.
    for (const { to } of renamed) {
        const ref = reference_parseReference(to);
        const served = await servedAt(ref);
        if (served && !isSameImage(served, local.Id))
            throw conflict(ref, served.digest);
    }
    if (references.length === 0)
        throw new Error('nothing to push: every tag stays where it is');
    return { references, version: rename?.to ?? rules.version ?? '', kept, renamed };
}
/** Reads the tag back from the registry: the digest it now serves. */
async function verifyPushed(ref, request) {
    const client = resolve_clientFor(ref.registry, credentialsFor(ref, request));
    const manifest = await client.headManifest(ref.repository, ref.tag);
    if (!manifest)
        throw new Error(`${reference_formatReference(ref)} was pushed but the registry does not serve it`);
    return manifest.digest;
}
/**
 * Sum of the compressed sizes of the layers docker reported as uploaded, each counted once: of the
 * pushed manifest, or of every manifest under a pushed index (its platform images and attestations),
 * once per repository.
 */
async function pushedBytes(request, pushed) {
    const counted = new Map();
    for (const [i, p] of pushed.entries()) {
        if (p.pushedLayers.length === 0)
            continue;
        const ref = request.references[i];
        const client = resolve_clientFor(ref.registry, credentialsFor(ref, request));
        const root = await client.getManifest(ref.repository, p.digest);
        const manifests = image_tree_isIndex(root)
            ? await Promise.all((parseManifest(root.bytes).manifests ?? []).map((d) => client.getManifest(ref.repository, d.digest)))
            : [root];
        for (const manifest of manifests) {
            const json = parseManifest(manifest.bytes);
            // docker names layers in its progress by their uncompressed diff id (the classic store) or
            // their digest (the containerd store): map diff ids to the manifest's compressed layers,
            // index by index, through the image config.
            let diffIds = [];
            if (json.config) {
                const res = await openBlob(client, ref.repository, json.config.digest);
                const config = JSON.parse((await readBody(res, 4 * 1024 * 1024)).toString('utf8'));
                diffIds = config.rootfs?.diff_ids ?? [];
            }
            (json.layers ?? []).forEach((layer, index) => {
                const names = [layer.digest, diffIds[index] ?? ''];
                if (p.pushedLayers.some((short) => names.some((n) => n.startsWith(`sha256:${short}`))))
                    counted.set(`${reference_repositoryName(ref)}@${layer.digest}`, layer.size);
            });
        }
    }
    return [...counted.values()].reduce((sum, size) => sum + size, 0);
}
/** Logs in to the registry inside the private config; the password goes to docker on stdin. */
async function push_login(runner, target, request) {
    if (!request.username || !request.password)
        return;
    await runChecked(runner, login(target, request.registry, request.username, request.password));
}

;// CONCATENATED MODULE: ./src/docker/containers.ts

/** The options `docker run` and `docker create` share, from --name to the image and its command. */
function containerArgs(spec) {
    const args = ['--name', spec.name];
    if (spec.network)
        args.push('--network', spec.network);
    for (const alias of spec.networkAliases ?? [])
        args.push('--network-alias', alias);
    if (spec.envFile)
        args.push('--env-file', spec.envFile);
    if (spec.restart)
        args.push('--restart', spec.restart);
    args.push(...labelFlags(spec.labels ?? {}));
    if (spec.workdir)
        args.push('--workdir', spec.workdir);
    for (const volume of spec.volumes ?? [])
        args.push('--volume', volume);
    for (const port of spec.publish ?? [])
        args.push('--publish', port);
    for (const [name, value] of Object.entries(spec.sysctls ?? {}))
        args.push('--sysctl', `${name}=${value}`);
    if (spec.healthCmd) {
        args.push('--health-cmd', spec.healthCmd, '--health-interval', spec.healthInterval ?? '1s');
        args.push('--health-retries', '3', '--health-timeout', '5s');
    }
    if (spec.entrypoint !== undefined)
        args.push('--entrypoint', spec.entrypoint);
    if (spec.platform)
        args.push('--platform', spec.platform);
    args.push(spec.image, ...(spec.command ?? []));
    return args;
}
function run(target, spec) {
    const args = ['run'];
    if (spec.detach)
        args.push('--detach');
    if (spec.removeOnExit)
        args.push('--rm');
    return dockerCommand(target, [...args, ...containerArgs(spec)], { label: `docker run ${spec.name}` });
}
function inspectContainer(target, name) {
    return dockerCommand(target, ['container', 'inspect', '--format', '{{json .}}', name]);
}
/**
 * Container logs: the last `tail` lines (50 unless following, when it is everything unless given),
 * since a time or a duration ago (`since`: docker's 10m, 2026-11-22T10:00:00), and with `follow`
 * until the container stops.
 */
function containers_logs(target, name, options = {}) {
    const args = ['logs'];
    if (options.follow)
        args.push('--follow');
    if (options.tail !== undefined || !options.follow)
        args.push('--tail', String(options.tail ?? 50));
    if (options.since)
        args.push('--since', options.since);
    return dockerCommand(target, [...args, name]);
}
function wait(target, name) {
    return dockerCommand(target, ['wait', name]);
}
function kill(target, name) {
    return dockerCommand(target, ['kill', name]);
}
function copyFrom(target, container, path, destination) {
    return dockerCommand(target, ['cp', `${container}:${path}`, destination]);
}
function port(target, container, containerPort) {
    return dockerCommand(target, ['port', container, `${containerPort}/tcp`]);
}
/** Removes containers but never their volumes (deployed services keep their data). */
function removeContainers(target, names) {
    return cmd(target, ['rm', '--force', ...names]);
}
/** Removes containers and deletes their anonymous volumes (never named ones): for throwaway containers only. */
function removeContainersAndVolumes(target, names) {
    return dockerCommand(target, ['rm', '--force', '--volumes', ...names]);
}
function listContainers(target, filters) {
    const args = ['ps', '--all', '--quiet'];
    for (const f of filters)
        args.push('--filter', f);
    return dockerCommand(target, args);
}
/** `docker create`: the same options as run, without starting. */
function create(target, spec) {
    const args = ['create', ...(spec.removeOnExit ? ['--rm'] : []), ...containerArgs(spec)];
    return cmd(target, args, { label: `docker create ${spec.name}` });
}
function start(target, name) {
    return cmd(target, ['start', name]);
}
function stop(target, name, timeoutSeconds = 10) {
    return cmd(target, ['stop', '--time', String(timeoutSeconds), name]);
}
/** Runs a program inside a running container (argv, no shell). */
function exec(target, container, argv, stdin) {
    return cmd(target, ['exec', ...(stdin !== undefined ? ['--interactive'] : []), container, ...argv], stdin !== undefined ? { stdin } : {});
}
/** Copies a tar archive given on stdin into a container directory (`docker cp -`). */
function copyArchiveInto(target, container, directory, archive) {
    return cmd(target, ['cp', '-', `${container}:${directory}`], {
        stdin: archive,
        label: `docker cp into ${container}:${directory}`,
    });
}
function inspectContainers(target, ids) {
    return cmd(target, ['container', 'inspect', ...ids]);
}
/** A file inside a running container, on stdout. */
function readFileIn(target, container, path) {
    return exec(target, container, ['cat', path]);
}
/** Removes a file inside a running container (no error when it is missing). */
function removeFileIn(target, container, path) {
    return exec(target, container, ['rm', '-f', path]);
}

;// CONCATENATED MODULE: ./src/docker/networks.ts

function networkCreate(target, name, labels, options = {}) {
    const args = ['network', 'create'];
    if (options.driver)
        args.push('--driver', options.driver);
    if (options.attachable)
        args.push('--attachable');
    return dockerCommand(target, [...args, ...labelFlags(labels), name]);
}
function networkInspect(target, name) {
    return cmd(target, ['network', 'inspect', name]);
}
function networkRemove(target, name) {
    return dockerCommand(target, ['network', 'rm', name]);
}
function networkConnect(target, network, container, aliases = []) {
    return cmd(target, ['network', 'connect', ...aliases.flatMap((a) => ['--alias', a]), network, container]);
}
/** Leaves a network (also for a stopped container, which keeps its endpoint and aliases otherwise). */
function networkDisconnect(target, network, container) {
    return cmd(target, ['network', 'disconnect', '--force', network, container]);
}

;// CONCATENATED MODULE: ./src/docker/env-file.ts
/** The docker --env-file format: what it can carry, and the file's content. */
/** bufio.Scanner's longest line: docker cannot read a longer line of an env file. */
const ENV_FILE_LINE_MAX = 64 * 1024 - 1;
/**
 * Why docker's --env-file cannot carry NAME=value exactly, or undefined when it can. Docker reads
 * each line literally (no quotes, no $ expansion, the value not trimmed), but a line ends at a
 * newline, a carriage return before it is dropped, and the file must be UTF-8 with short lines.
 */
function envFileProblem(name, value) {
    if (/[\r\n\0]/.test(value))
        return `the value of ${name} holds a line break or NUL, which an env file cannot carry`;
    if (Buffer.from(value, 'utf8').toString('utf8') !== value)
        return `the value of ${name} is not valid UTF-8 text`;
    if (Buffer.byteLength(`${name}=${value}`) > ENV_FILE_LINE_MAX)
        return `the value of ${name} is longer than an env file line can be (64 KiB)`;
    return undefined;
}
/** The content of a docker --env-file holding `env` exactly (check each value with envFileProblem first). */
function envFileContent(env) {
    return env
        .map(([name, value]) => {
        const problem = envFileProblem(name, value);
        if (problem)
            throw new Error(problem);
        return `${name}=${value}\n`;
    })
        .join('');
}

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
function summarizeJUnit(xmls) {
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
var dist = __nccwpck_require__(8815);
;// CONCATENATED MODULE: ./src/test-in-container/services.ts
/** The `services` input of test-in-container: a YAML list of service containers, strictly checked. */




const KEYS = ['name', 'image', 'env', 'health-cmd', 'port'];
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const services_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function parseServices(text, input = 'services') {
    if (text.trim() === '')
        return [];
    let doc;
    try {
        doc = (0,dist/* parse */.qg)(text);
    }
    catch (error) {
        throw new inputs_InputError(input, `is not valid YAML: ${error.message.split('\n')[0]}`);
    }
    if (!Array.isArray(doc))
        throw new inputs_InputError(input, 'must be a YAML list of services (- name: …, image: …)');
    const names = new Set();
    return doc.map((item, index) => {
        const where = `service ${index + 1}`;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            throw new inputs_InputError(input, `${where} must be a mapping with name and image`);
        }
        const entry = item;
        for (const key of Object.keys(entry)) {
            if (!KEYS.includes(key))
                throw new inputs_InputError(input, `${where}: unknown key ${JSON.stringify(key)} (known: ${KEYS.join(', ')})`);
        }
        const name = entry.name;
        if (typeof name !== 'string' || !NAME.test(name)) {
            throw new inputs_InputError(input, `${where}: name must be a lowercase DNS label (a-z, 0-9, -), got ${JSON.stringify(name)}`);
        }
        if (names.has(name))
            throw new inputs_InputError(input, `service ${name} is listed twice`);
        names.add(name);
        if (typeof entry.image !== 'string')
            throw new inputs_InputError(input, `service ${name}: image is required`);
        let image;
        try {
            image = reference_formatReference(reference_parseReference(entry.image));
        }
        catch (error) {
            throw new inputs_InputError(input, `service ${name}: ${error.message}`);
        }
        const env = [];
        if (entry.env !== undefined) {
            if (typeof entry.env !== 'object' || entry.env === null || Array.isArray(entry.env)) {
                throw new inputs_InputError(input, `service ${name}: env must be a mapping of NAME: value`);
            }
            for (const [key, value] of Object.entries(entry.env)) {
                if (!services_ENV_NAME.test(key))
                    throw new inputs_InputError(input, `service ${name}: ${JSON.stringify(key)} is not a valid variable name`);
                if (typeof value === 'object' && value !== null)
                    throw new inputs_InputError(input, `service ${name}: env ${key} must be a scalar`);
                env.push([key, String(value ?? '')]);
            }
        }
        const spec = { name, image, env };
        if (entry['health-cmd'] !== undefined) {
            const cmd = entry['health-cmd'];
            if (typeof cmd !== 'string' || cmd.trim() === '' || hasControlCharacter(cmd)) {
                throw new inputs_InputError(input, `service ${name}: health-cmd must be a single-line command`);
            }
            spec.healthCmd = cmd;
        }
        if (entry.port !== undefined) {
            const port = entry.port;
            if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
                throw new inputs_InputError(input, `service ${name}: port must be a number from 1 to 65535, got ${JSON.stringify(port)}`);
            }
            spec.port = port;
        }
        return spec;
    });
}

;// CONCATENATED MODULE: ./src/test-in-container/run-tests.ts
/**
 * test-in-container's work: a private network, service containers waited on until ready (health
 * check, TCP probe or running — never a fixed sleep), the test container, its reports, and a
 * cleanup that removes everything it started, also after failure or cancellation.
 */















const run_tests_RUN_LABEL = 'dev.slipway.test-run';
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
/**
 * `reports`: a normalised absolute path below / (docker cp copies whatever it names: "/" or "/.."
 * would copy the container's whole filesystem to the runner).
 */
function checkReportsPath(path) {
    if (!path.startsWith('/'))
        throw new inputs_InputError('reports', 'must be an absolute path in the container');
    if (path.split('/').some((part) => part === '..' || part === '.'))
        throw new inputs_InputError('reports', `${JSON.stringify(path)} must not hold . or .. segments`);
    if (path === '/' || external_node_path_namespaceObject.posix.normalize(path) !== path || path.endsWith('/'))
        throw new inputs_InputError('reports', `${JSON.stringify(path)} must be a normalised path below / (a file or directory, such as /app/reports)`);
}
/** Env values go to docker in an env file: refused, naming the input, when one cannot hold them. */
function checkEnvFileValues(input, env) {
    for (const [name, value] of env) {
        const problem = envFileProblem(name, value);
        if (problem)
            throw new inputs_InputError(input, problem);
    }
}
function readTestRequest(inputs) {
    const image = inputs.line('image');
    if (!image)
        inputs.required('image');
    if (!IMAGE.test(image))
        throw new inputs_InputError('image', `${JSON.stringify(image)} is not an image reference or id`);
    const run = inputs.string('run');
    const workdir = inputs.line('workdir');
    if (workdir && !workdir.startsWith('/'))
        throw new inputs_InputError('workdir', 'must be an absolute path in the container');
    const reports = inputs.line('reports');
    if (reports)
        checkReportsPath(reports);
    const timeoutMs = inputs.duration('timeout', 1_800_000);
    const waitTimeoutMs = inputs.duration('wait-timeout', 120_000);
    if (run.includes('\0'))
        throw new inputs_InputError('run', 'contains a NUL byte');
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
    const id = `slipway-test-${(0,external_node_crypto_namespaceObject.randomBytes)(5).toString('hex')}`;
    return { id, network: id };
}
async function containerState(runner, target, name) {
    const result = await runChecked(runner, inspectContainer(target, name));
    return JSON.parse(result.stdout).State;
}
/** Connects and holds: a proxy in front of a closed port accepts and then hangs up at once. */
function tcpAnswers(host, port, holdMs = 300) {
    return new Promise((resolve) => {
        const socket = (0,external_node_net_namespaceObject.connect)({ host, port });
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
                const out = (await runChecked(runner, port(target, name, service.port))).stdout.trim().split('\n')[0] ??
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
    const logs = await runner.run(containers_logs(target, name, { tail: 40 }));
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
function readReports(path) {
    if (!(0,external_node_fs_namespaceObject.existsSync)(path))
        return [];
    if ((0,external_node_fs_namespaceObject.statSync)(path).isFile())
        return [(0,external_node_fs_namespaceObject.readFileSync)(path, 'utf8')];
    const xmls = [];
    for (const entry of (0,external_node_fs_namespaceObject.readdirSync)(path, { recursive: true, encoding: 'utf8' })) {
        const full = (0,external_node_path_namespaceObject.join)(path, entry);
        if (entry.endsWith('.xml') && (0,external_node_fs_namespaceObject.statSync)(full).isFile())
            xmls.push((0,external_node_fs_namespaceObject.readFileSync)(full, 'utf8'));
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
    const dir = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)(process.env.RUNNER_TEMP ?? (0,external_node_os_namespaceObject.tmpdir)(), 'slipway-env-'));
    try {
        const file = (0,external_node_path_namespaceObject.join)(dir, 'env');
        (0,external_node_fs_namespaceObject.writeFileSync)(file, envFileContent(env), { mode: 0o600 });
        return await command(file);
    }
    finally {
        (0,external_node_fs_namespaceObject.rmSync)(dir, { recursive: true, force: true });
    }
}
async function runTests(runner, target, request, session, options, hooks) {
    const labels = { [run_tests_RUN_LABEL]: session.id };
    await runChecked(runner, networkCreate(target, session.network, labels));
    hooks.log(`Network ${session.network}`);
    const started = performance.now();
    for (const service of request.services) {
        await withEnvFile(service.env, (envFile) => runChecked(runner, run(target, {
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
    await withEnvFile(request.env, (envFile) => runChecked(runner, run(target, {
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
    const following = runner.run(containers_logs(target, name, { follow: true }), { onOutput: hooks.onOutput });
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        void runner.run(kill(target, name));
    }, request.timeoutMs);
    const waited = await runChecked(runner, wait(target, name)).finally(() => clearTimeout(timer));
    await following;
    const exitCode = Number(waited.stdout.trim());
    const durationMs = performance.now() - testStarted;
    let report;
    let junit;
    if (request.reports) {
        (0,external_node_fs_namespaceObject.mkdirSync)(options.reportDir, { recursive: true });
        const destination = (0,external_node_path_namespaceObject.join)(options.reportDir, request.reports.split('/').filter(Boolean).pop() ?? 'report');
        const copied = await runner.run(copyFrom(target, name, request.reports, destination));
        if (copied.exitCode === 0) {
            report = destination;
            junit = summarizeJUnit(readReports(destination));
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
    const listed = await runner.run(listContainers(target, [`label=${run_tests_RUN_LABEL}=${id}`]));
    const containers = listed.stdout.split('\n').filter(Boolean);
    if (containers.length > 0)
        await runner.run(removeContainersAndVolumes(target, containers));
    await runner.run(networkRemove(target, id));
    return containers.length;
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
            return new inputs_InputError(input, `type=gha needs the Actions cache service (${missing.join(', ')} not set): it works in a GitHub Actions job; elsewhere use type=registry or type=local`);
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
            throw new inputs_InputError(request.builder ? 'builder' : 'platforms', `${request.builder ? `no usable builder ${JSON.stringify(request.builder)}` : 'no usable buildx builder'} (docker buildx ls lists them): ${detail}`);
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
        const digest = await resolve_resolveDigest(reference_parseReference(reference), {
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
        const name = reference_repositoryName(reference_parseReference(reference));
        const repoDigest = image.RepoDigests?.find((d) => reference_repositoryName(reference_parseReference(d)) === name);
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
function summary_table(headers, rows) {
    const head = `| ${headers.map(cell).join(' | ')} |`;
    const rule = `| ${headers.map(() => '---').join(' | ')} |`;
    const body = rows.map((row) => `| ${headers.map((_, i) => cellOrCode(row[i])).join(' | ')} |`);
    return [head, rule, ...body].join('\n');
}
/** A value already rendered as inline code is kept; anything else is escaped. */
function cellOrCode(value) {
    if (value instanceof summary_Code)
        return value.text;
    return cell(value);
}
/** Marks a table value to be shown as inline code. */
class summary_Code {
    text;
    constructor(value) {
        this.text = code(value).replaceAll('|', '\\|');
    }
}
function summary_heading(text, level = 3) {
    return `${'#'.repeat(level)} ${cell(text)}`;
}
/** Two-column key/value table, the shape most action summaries need. */
function summary_facts(rows) {
    return summary_table(['', ''], rows);
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
            summary_heading(`Built ${plan.version}`),
            summary_table(['Tag', 'What it is'], plan.tagPlan.map((t) => [new summary_Code(t.tag), TAG_MEANING[t.source]])),
            summary_facts([['Repositories', request.repositories.map((r) => reference_formatReference(r)).join('\n')]]),
            summary_facts([
                ['Image id', result.imageId ? new summary_Code(result.imageId) : '—'],
                ...(result.digest ? [['Pushed digest', new summary_Code(result.digest)]] : []),
                ...(request.buildx?.platforms.length
                    ? [['Platforms', request.buildx.platforms.join(', ')]]
                    : []),
                ['Size', formatBytes(result.sizeBytes)],
                ['Layers', result.layers],
                ['Build time', formatDuration(result.durationMs)],
            ]),
            summary_table(['Base image', 'Digest'], result.baseImages.map((b) => [
                new summary_Code(b.reference),
                b.digest ? new summary_Code(b.digest) : `(${b.source})`,
            ])),
        ],
    };
}

// EXTERNAL MODULE: ./node_modules/tweetnacl/nacl-fast.js
var nacl_fast = __nccwpck_require__(668);
var nacl_fast_default = /*#__PURE__*/__nccwpck_require__.n(nacl_fast);
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
    const key = (0,external_node_crypto_namespaceObject.scryptSync)(password, Buffer.from(parsed.kdf.salt, 'base64'), 32, {
        N,
        r,
        p,
        maxmem: 256 * N * r + 1024 * 1024,
    });
    const opened = nacl_fast_default().secretbox.open(new Uint8Array(Buffer.from(parsed.ciphertext, 'base64')), new Uint8Array(Buffer.from(parsed.cipher.nonce, 'base64')), new Uint8Array(key));
    key.fill(0);
    if (!opened)
        throw new keys_KeyError('wrong password for the encrypted private key (sign-key-password)');
    return Buffer.from(opened);
}
/** A private key from PEM text; the password opens cosign's encrypted format. Errors never show the key. */
function parsePrivateKey(text, password = '') {
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
                privateKey = (0,external_node_crypto_namespaceObject.createPrivateKey)({ key: der, format: 'der', type: 'pkcs8' });
            }
            finally {
                der.fill(0);
            }
        }
        else {
            privateKey = (0,external_node_crypto_namespaceObject.createPrivateKey)({ key: block.text, format: 'pem' });
        }
    }
    catch (error) {
        if (error instanceof keys_KeyError)
            throw error;
        throw new keys_KeyError(`the ${block.type} cannot be read (${error.code ?? 'invalid'})`);
    }
    hashFor(privateKey);
    const publicKey = (0,external_node_crypto_namespaceObject.createPublicKey)(privateKey);
    return { privateKey, publicKey, fingerprint: fingerprint(publicKey) };
}
/** One or more public keys (PEM "PUBLIC KEY" blocks) from a text. */
function keys_parsePublicKeys(text) {
    const blocks = pemBlocks(text);
    if (blocks.some((b) => ENCRYPTED_TYPES.includes(b.type) || PLAIN_TYPES.includes(b.type)))
        throw new keys_KeyError('it holds a private key: give the public key (cosign.pub), never the private one');
    const keys = blocks
        .filter((b) => b.type === 'PUBLIC KEY' || b.type === 'RSA PUBLIC KEY')
        .map((b) => {
        let publicKey;
        try {
            publicKey = createPublicKey({ key: b.text, format: 'pem' });
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
    return `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256')
        .update(key.export({ format: 'der', type: 'spki' }))
        .digest('hex')}`;
}
/** A signature as sigstore makes it (DER ECDSA, PKCS#1 v1.5 RSA, or Ed25519). */
function signBytes(key, data) {
    return (0,external_node_crypto_namespaceObject.sign)(hashFor(key.privateKey), data, key.privateKey);
}
function verifyBytes(key, data, signature) {
    try {
        return (0,external_node_crypto_namespaceObject.verify)(hashFor(key), data, key, signature);
    }
    catch {
        return false;
    }
}

// EXTERNAL MODULE: ./node_modules/@sigstore/protobuf-specs/dist/index.js
var protobuf_specs_dist = __nccwpck_require__(9654);
// EXTERNAL MODULE: ./node_modules/@sigstore/verify/dist/index.js
var verify_dist = __nccwpck_require__(4187);
;// CONCATENATED MODULE: ./src/supply-chain/formats.ts
/**
 * The documents cosign signs and stores, byte for byte: the simple-signing payload of an image
 * signature, the in-toto statement with the test-result predicate, and the DSSE envelope with its
 * pre-authentication encoding (PAE). Pure functions: no keys, no registry.
 */
const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const formats_TEST_RESULT_PREDICATE = 'https://in-toto.io/attestation/test-result/v0.1';
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Annotations Slipway adds inside the signed payload's `optional` part. */
const SIGNED_AT = 'dev.slipway.signed-at';
const SIGNED_RUN = 'dev.slipway.run-url';
/** Short names for `require-attestations`. */
const formats_PREDICATE_ALIASES = {
    'test-result': formats_TEST_RESULT_PREDICATE,
};
/** The payload cosign signs for an image (key order as cosign writes it). */
function simpleSigningPayload(repository, digest, optional = {}) {
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
function pae(payloadType, payload) {
    const type = Buffer.from(payloadType, 'utf8');
    return Buffer.concat([
        Buffer.from(`DSSEv1 ${type.length} `),
        type,
        Buffer.from(` ${payload.length} `),
        payload,
    ]);
}
function dsseEnvelope(payloadType, payload, signature, keyid = '') {
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
function statement(repository, digest, predicateType, predicate) {
    const [algorithm, hex] = digest.split(':');
    const s = {
        _type: STATEMENT_TYPE,
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

// EXTERNAL MODULE: ./node_modules/@sigstore/bundle/dist/index.js
var bundle_dist = __nccwpck_require__(1040);
// EXTERNAL MODULE: ./node_modules/@sigstore/core/dist/index.js
var core_dist = __nccwpck_require__(3917);
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







const BUNDLE_MEDIA_TYPE = bundle_dist/* BUNDLE_V03_MEDIA_TYPE */.HM;
/** Fulcio's certificate extensions naming the OIDC issuer (v1: raw string; v2: DER UTF8String). */
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
/** Every bundle media type (v0.1 to v0.3, old and new spellings) starts with this. */
const BUNDLE_MEDIA_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** The predicate type of cosign v3's `sign`: the statement is the signature. */
const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
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
    return (0,external_node_crypto_namespaceObject.createHash)('sha256')
        .update(key.export({ format: 'der', type: 'spki' }))
        .digest('base64');
}
/**
 * The statement cosign v3's `sign` signs: the digest as its only subject (no name), the cosign
 * sign predicate, empty; `annotations` go on the subject (cosign's `-a key=value`), signed.
 */
function signStatement(digest, annotations = {}) {
    const [algorithm, hex] = digest.split(':');
    return Buffer.from(JSON.stringify({
        _type: STATEMENT_TYPE,
        subject: [
            {
                digest: { [algorithm]: hex },
                ...(Object.keys(annotations).length > 0 && { annotations }),
            },
        ],
        predicateType: COSIGN_SIGN_PREDICATE,
        predicate: {},
    }));
}
/** A bundle (JSON bytes) holding `statement` in a DSSE envelope signed by `key`. */
function dsseBundle(statementBytes, key) {
    const signature = signBytes(key, pae(IN_TOTO_PAYLOAD_TYPE, statementBytes));
    const bundle = (0,bundle_dist/* toDSSEBundle */.PR)({
        artifact: statementBytes,
        artifactType: IN_TOTO_PAYLOAD_TYPE,
        signature,
        keyHint: keyHint(key.publicKey),
    });
    // The hint goes in the verification material only: a DSSE keyid is matched against the
    // verifier's own key id by cosign (sigstore-go), which is not this hint; cosign writes none.
    for (const s of bundle.content.dsseEnvelope.signatures)
        s.keyid = '';
    return Buffer.from(JSON.stringify((0,bundle_dist/* bundleToJSON */.ev)(bundle)));
}
/**
 * The referrer manifest cosign v3 writes for a bundle: the empty config (carrying the artifact type,
 * as cosign's does), the bundle as the one layer, `subject` the image, and cosign's annotations.
 */
function bundleReferrer(subject, bundle, predicateType, created) {
    const bytes = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: client_MEDIA_TYPES.ociManifest,
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
    return { bytes, digest: client_sha256(bytes), mediaType: client_MEDIA_TYPES.ociManifest, size: bytes.length };
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
            return env.signatures.some((s) => verifyBytes(key.publicKey, pae(env.payloadType, env.payload), s.sig));
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
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
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

;// CONCATENATED MODULE: ./src/registry/referrers.ts
/**
 * What refers to a manifest, and how a registry keeps that list: the OCI 1.1 referrers API
 * (`GET /v2/<name>/referrers/<digest>`, paginated by Link, filtered by the registry when it says
 * so in OCI-Filters-Applied), the fallback tag `sha256-<hex>` (an index of the referrers, for a
 * registry without the API), and cosign's tags `sha256-<hex>.sig`, `.att` and `.sbom` (manifests
 * without a subject, found by name only).
 */




/** cosign's tags: signatures, attestations, attached SBOMs. */
const referrers_COSIGN_SUFFIXES = (/* unused pure expression or super */ null && (['sig', 'att', 'sbom']));
const referrers_DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
/** The referrers tag schema's fallback tag: `<alg>-<hex>`, truncated to the 128 characters a tag may have. */
function fallbackTag(digest) {
    const match = referrers_DIGEST_RE.exec(digest);
    if (!match)
        throw new Error(`not a digest: ${digest}`);
    return `${match[1]}-${match[2]}`.slice(0, 128);
}
/** cosign's tag for a digest: `sha256-<hex>.sig` (.att, .sbom). */
function referrers_cosignTag(digest, suffix) {
    const match = referrers_DIGEST_RE.exec(digest);
    if (!match)
        throw new Error(`not a digest: ${digest}`);
    return `${match[1]}-${match[2]}.${suffix}`;
}
function fields(bytes, what = 'manifest') {
    return parseJsonObject(bytes, what);
}
/** The digest a manifest refers to (its `subject`), if any; one that is not a digest is none. */
function referrers_subjectOf(bytes) {
    const subject = fields(bytes).subject;
    const digest = subject !== null && typeof subject === 'object' ? subject.digest : undefined;
    return descriptor_isDigest(digest) ? digest : undefined;
}
/**
 * The descriptor a referrers list carries for a manifest: artifactType (else the config's media
 * type, as the spec says) and the manifest's annotations.
 */
function referrers_referrerDescriptor(manifest) {
    const json = fields(manifest.bytes);
    const candidate = json.artifactType ?? (json.config !== null ? json.config?.mediaType : undefined);
    const artifactType = isMediaType(candidate) ? candidate : undefined;
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
        descriptor_isDigest(d.digest) &&
        isSize(d.size) &&
        isMediaType(d.mediaType) &&
        (d.artifactType === undefined || isMediaType(d.artifactType)));
}
/**
 * A fallback index with `add` merged in: every entry already there kept as it is and in order (other
 * tools' referrers are never dropped), the new ones appended; `added` counts them.
 */
function mergeFallbackIndex(existing, add) {
    const json = existing
        ? JSON.parse(existing.toString('utf8'))
        : { schemaVersion: 2, mediaType: client_MEDIA_TYPES.ociIndex, manifests: [] };
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
async function referrers_listReferrers(client, repository, digest, artifactType) {
    const base = await client.base();
    let url = `${base}/v2/${repository}/referrers/${digest}`;
    if (artifactType)
        url += `?artifactType=${encodeURIComponent(artifactType)}`;
    const entries = [];
    const image = `${client.label}: referrers of ${repository}@${digest}`;
    for (let page = 0; url; page++) {
        if (page === MAX_REFERRER_PAGES)
            throw new client_RegistryError(`${image}: more than ${MAX_REFERRER_PAGES} pages (MAX_REFERRER_PAGES); refusing to read on`, 0, undefined, false);
        const res = await client.send({
            method: 'GET',
            path: url,
            scopes: [client_pullScope(repository)],
            headers: { accept: client_MEDIA_TYPES.ociIndex },
        });
        if ([400, 404, 405, 501].includes(res.status)) {
            http_discard(res);
            if (page === 0)
                return undefined;
            throw new client_RegistryError(`${client.label}: referrers of ${repository}@${digest}: a next page answered ${res.status}`, res.status);
        }
        await client.expect(res, [200], `GET referrers ${repository}@${digest}`);
        const contentType = (http_header(res, 'content-type') ?? '').split(';')[0]?.trim();
        const body = await client.read(res, MAX_REFERRER_PAGE_BYTES, `GET referrers ${repository}@${digest}`);
        // A registry without the API may answer 200 with something else (an HTML page, its own JSON).
        if (page === 0 && contentType !== client_MEDIA_TYPES.ociIndex) {
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
            throw new client_RegistryError(`${image}: ${error.message}`, 502, undefined, false);
        }
        entries.push(...applyArtifactTypeFilter(listed, artifactType, http_header(res, 'oci-filters-applied')));
        if (entries.length > MAX_REFERRERS_LISTED)
            throw new client_RegistryError(`${image}: more than ${MAX_REFERRERS_LISTED} referrers (MAX_REFERRERS_LISTED); refusing to read on`, 0, undefined, false);
        url = nextLink(http_header(res, 'link'), url);
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
async function referrers_findReferrers(client, repository, digest, artifactType) {
    const [api, fallback] = await Promise.all([
        referrers_listReferrers(client, repository, digest, artifactType),
        referrers_getManifestIfAny(client, repository, fallbackTag(digest)),
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
async function referrers_getManifestIfAny(client, repository, reference) {
    try {
        return await client.getManifest(repository, reference);
    }
    catch (error) {
        if (error instanceof client_RegistryError && error.status === 404)
            return undefined;
        throw error;
    }
}
/**
 * Puts a manifest by digest and says whether the registry keeps its subject's referrers itself
 * (it answered OCI-Subject).
 */
async function referrers_putManifestWithSubject(client, repository, manifest) {
    const res = await client.send({
        method: 'PUT',
        path: `${repository}/manifests/${manifest.digest}`,
        scopes: [client_pushScope(repository)],
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
    });
    await client.expect(res, [200, 201], `PUT manifest ${repository}@${manifest.digest}`);
    http_discard(res);
    return { subjectKept: http_header(res, 'oci-subject') !== undefined };
}
/** Uploads a small blob held in memory (a config); nothing when it is there. */
async function referrers_putSmallBlob(client, repository, bytes) {
    return (await putBlobBytes(client, repository, bytes)).digest;
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
function referrers_missingLayers(destination, source) {
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
function referrers_mergeCosignManifest(destination, destinationConfig, add) {
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
        config: { ...image.config, digest: sha256(configBytes), size: configBytes.length },
        layers,
    };
    return { manifest: Buffer.from(JSON.stringify(newImage)), config: configBytes };
}

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
    return referrers_cosignTag(digest, kind);
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
    const bytes = await readBody(await openBlob(client, repository, layer.digest), MAX_LAYER_BYTES);
    const actual = `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(bytes).digest('hex')}`;
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
async function appendLayer(client, repository, digest, kind, layer) {
    const existing = await readLayers(client, repository, digest, kind);
    const blob = await blobs_putBlobBytes(client, repository, layer.bytes);
    const layers = [
        ...existing,
        { mediaType: layer.mediaType, size: blob.size, digest: blob.digest, annotations: layer.annotations },
    ];
    const config = await blobs_putBlobBytes(client, repository, configFor(layers));
    const manifest = {
        schemaVersion: 2,
        mediaType: client_MEDIA_TYPES.ociManifest,
        config: { mediaType: CONFIG_MEDIA_TYPE, size: config.size, digest: config.digest },
        layers,
    };
    const tag = artifactTag(digest, kind);
    await client.putManifest(repository, tag, {
        bytes: Buffer.from(JSON.stringify(manifest)),
        mediaType: client_MEDIA_TYPES.ociManifest,
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
    const { entries, found } = await referrers_findReferrers(client, repository, digest);
    const candidates = entries.filter((e) => !e.artifactType || isBundleMediaType(e.artifactType) || e.artifactType === EMPTY_CONFIG.mediaType);
    const bundles = [];
    const elsewhere = [];
    for (const entry of candidates) {
        const manifest = await referrers_getManifestIfAny(client, repository, entry.digest);
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





function verify_predicateTypeOf(name) {
    return PREDICATE_ALIASES[name] ?? name;
}
function verify_predicateName(type) {
    return Object.entries(formats_PREDICATE_ALIASES).find(([, uri]) => uri === type)?.[0] ?? type;
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
        if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE)
            continue;
        const signature = Buffer.from(layer.annotations?.[SIGNATURE_ANNOTATION] ?? '', 'base64');
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
            const signedAt = optional[SIGNED_AT];
            const runUrl = optional[SIGNED_RUN];
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
        if (layer.mediaType !== DSSE_MEDIA_TYPE)
            continue;
        const what = `an attestation${layer.annotations?.predicateType ? ` (${verify_predicateName(layer.annotations.predicateType)})` : ''}`;
        try {
            const envelope = parseDsseEnvelope(await readLayer(client, repository, layer));
            if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
                notes.push(`${what} with payload type ${envelope.payloadType}`);
                continue;
            }
            const payload = Buffer.from(envelope.payload, 'base64');
            const signed = pae(envelope.payloadType, payload);
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
        const hinted = stored.predicateType && stored.predicateType !== COSIGN_SIGN_PREDICATE;
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
        if (s.predicateType === COSIGN_SIGN_PREDICATE) {
            const annotations = subjectAnnotations(s, digest);
            const signedAt = annotations[SIGNED_AT];
            const runUrl = annotations[SIGNED_RUN];
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
    const referrers = found.through === 'referrers-api' ? 'the referrers API' : `the fallback tag ${fallbackTag(digest)}`;
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
        const name = verify_predicateName(type);
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
class verify_VerificationError extends Error {
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
            throw new inputs_InputError('sign-key', 'is required when sign-key-password is given');
        return undefined;
    }
    try {
        return parsePrivateKey(text, password);
    }
    catch (error) {
        if (error instanceof keys_KeyError)
            throw new inputs_InputError(/password/.test(error.message) ? 'sign-key-password' : 'sign-key', error.message);
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
        throw new inputs_InputError('signature-format', `${JSON.stringify(value)} is not known: bundle (cosign v3's Sigstore bundles) or legacy (cosign v2's .sig/.att tags)`);
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
            throw new InputError('trusted-root', 'is required with certificate-identity and certificate-oidc-issuer (the trust root their certificates must chain to)');
        return undefined;
    }
    if (identity && pattern)
        throw new InputError('certificate-identity', 'give it or certificate-identity-regexp, not both');
    if (!identity && !pattern)
        throw new InputError('certificate-identity', 'is required with trusted-root (or certificate-identity-regexp): whose certificates count, e.g. https://github.com/<org>/<repo>/.github/workflows/<file>@refs/heads/main');
    if (!issuer)
        throw new InputError('certificate-oidc-issuer', 'is required with trusted-root, e.g. https://token.actions.githubusercontent.com');
    let regexp;
    if (pattern) {
        try {
            regexp = new RegExp(pattern);
        }
        catch (error) {
            throw new InputError('certificate-identity-regexp', error.message);
        }
    }
    let trustMaterial;
    try {
        const json = JSON.parse(root);
        if (typeof json?.mediaType !== 'string' || !json.mediaType.startsWith(TRUSTED_ROOT_MEDIA_PREFIX))
            throw new Error(`its mediaType is ${JSON.stringify(json?.mediaType)}`);
        trustMaterial = toTrustMaterial(TrustedRoot.fromJSON(json));
    }
    catch (error) {
        throw new InputError('trusted-root', `is not a Sigstore trusted_root.json (${error.message}); give the file's content`);
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
            throw new InputError('require-attestations', `${JSON.stringify(type)} is not known: test-result, or a predicate type URI`);
    }
    const keyless = readKeylessPolicy(inputs);
    if (!text && !keyless) {
        if (attestations.length > 0)
            throw new InputError('verify-key', 'is required with require-attestations (the key they must be signed with), or trusted-root with certificate-identity');
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
        if (error instanceof KeyError)
            throw new InputError('verify-key', error.message);
        throw error;
    }
}
function inputs_readTestReportInputs(inputs) {
    const report = inputs.line('test-report');
    const code = inputs.line('test-exit-code');
    const command = inputs.string('test-command');
    if (!report && !code)
        return undefined;
    if (report && !(0,external_node_fs_namespaceObject.existsSync)(report))
        throw new inputs_InputError('test-report', `${JSON.stringify(report)} does not exist`);
    let exitCode;
    if (code) {
        if (!/^\d{1,3}$/.test(code))
            throw new inputs_InputError('test-exit-code', `${JSON.stringify(code)} is not an exit code`);
        exitCode = Number(code);
    }
    return {
        ...(report && { report }),
        ...(exitCode !== undefined && { exitCode }),
        ...(command && { command }),
    };
}

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
function platform_platformOf(text) {
    return text.trim().replace(/\/$/, '');
}
/** os/arch of a platform (a variant dropped): what decides whether it runs natively. */
function osArch(platform) {
    return platform.split('/').slice(0, 2).join('/');
}
/** Whether `platform` is `wanted` ("linux/arm64" matches "linux/arm64/v8"; "linux/arm/v7" only itself). */
function platformMatches(platform, wanted) {
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
        const found = offered.find((t) => platformMatches(t.platform, wanted));
        if (!found)
            throw new inputs_InputError('platforms', `${image} has no ${wanted} image (it has ${offered.map((t) => t.platform).join(', ') || 'none'})`);
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
    if (!(0,external_node_fs_namespaceObject.existsSync)((0,external_node_path_namespaceObject.join)(dir, 'status')))
        return undefined;
    const enabled = new Set();
    for (const name of (0,external_node_fs_namespaceObject.readdirSync)(dir)) {
        if (name === 'status' || name === 'register')
            continue;
        try {
            if (/^enabled$/m.test((0,external_node_fs_namespaceObject.readFileSync)((0,external_node_path_namespaceObject.join)(dir, name), 'utf8')))
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
    throw new inputs_InputError('platforms', [
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
    const inspected = await runner.run(imagePlatform(target, image));
    return inspected.exitCode === 0 ? platform_platformOf(inspected.stdout) : undefined;
}
/** The platforms of `image` to test (see the file's comment); nothing is pulled yet. */
async function resolveTestPlatforms(runner, target, image, requested) {
    const [runnerPlatform, inStore] = await Promise.all([
        runChecked(runner, serverPlatform(target)).then((r) => r.stdout.trim()),
        imageInStore(runner, target, image),
    ]);
    if (inStore !== undefined &&
        (requested.length === 0 || requested.every((p) => platformMatches(inStore, p))))
        return {
            targets: pickPlatforms([{ platform: inStore, image }], requested, image),
            runner: runnerPlatform,
            source: 'engine',
        };
    if (inStore !== undefined) {
        // An engine that holds a whole index (the containerd image store) has each platform asked for:
        // each is run with docker run --platform.
        const held = await Promise.all(requested.map(async (wanted) => {
            const one = await runner.run(imagePlatform(target, image, wanted));
            return one.exitCode === 0
                ? { platform: platform_platformOf(one.stdout), image, runPlatform: true }
                : undefined;
        }));
        if (held.every((t) => t !== undefined))
            return { targets: held, runner: runnerPlatform, source: 'engine' };
    }
    // Not in the engine's store (or another platform asked for): the registry says what the image is.
    let ref;
    try {
        ref = reference_parseReference(image);
    }
    catch {
        ref = undefined;
    }
    if (ref && !/^[a-f0-9]{64}$/.test(image) && !image.startsWith('sha256:')) {
        const client = resolve_clientFor(ref.registry, { retry: { retries: 1, baseDelayMs: 200, maxDelayMs: 1000 } });
        let manifest;
        try {
            manifest = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
        }
        catch (error) {
            if (inStore !== undefined)
                throw new inputs_InputError('platforms', `${image} is in the engine's image store for ${inStore} only, and its registry cannot say which other platforms it has (${error.message.split('\n')[0]})`);
            manifest = undefined; // docker pull says why (or finds it where this client cannot)
        }
        if (manifest && image_tree_isIndex(manifest)) {
            const name = reference_repositoryName(ref);
            const offered = image_tree_platformImages(manifest).map((p) => ({
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
        throw new inputs_InputError('platforms', `${image} has one platform, ${inStore} (it is not an index of several): test ${requested.join(', ')} with a reference to a multi-platform index`);
    // A single-platform image the engine does not have: pulled, then its own platform.
    await runChecked(runner, pull(target, image));
    const pulled = (await runChecked(runner, imagePlatform(target, image))).stdout;
    return {
        targets: pickPlatforms([{ platform: platform_platformOf(pulled), image }], requested, image),
        runner: runnerPlatform,
        source: 'registry',
    };
}
/** Pulls a platform's image by its digest when the engine does not have it yet. */
async function ensurePulled(runner, target, t) {
    if (!t.digest)
        return false;
    if ((await runner.run(imagePlatform(target, t.image))).exitCode === 0)
        return false;
    await runChecked(runner, pull(target, t.image));
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

;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = require("node:util");
;// CONCATENATED MODULE: ./src/supply-chain/promotion.ts
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



const promotion_PROMOTION_ARTIFACT_TYPE = 'application/vnd.slipway.promotion.v1+json';
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
        mediaType: MEDIA_TYPES.ociManifest,
        artifactType: promotion_PROMOTION_ARTIFACT_TYPE,
        config: EMPTY_DESCRIPTOR,
        layers: [EMPTY_DESCRIPTOR],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        annotations,
    }));
    return { bytes, digest: sha256(bytes), mediaType: MEDIA_TYPES.ociManifest, size: bytes.length };
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
function promotion_isPromotionRecord(entry) {
    return entry.artifactType === promotion_PROMOTION_ARTIFACT_TYPE;
}
/**
 * The promotion records of `digest` in a repository, each with its manifest digest, through the
 * referrers API or the fallback tag. A registry that lists the config's media type instead of the
 * artifactType (go-containerregistry's) lists ours as the empty type: those entries, and any
 * listed without annotations, are read to be sure.
 */
async function readPromotions(client, repository, digest) {
    const { entries } = await findReferrers(client, repository, digest);
    const out = [];
    for (const entry of entries) {
        let annotations = entry.annotations;
        const listedAsOurs = promotion_isPromotionRecord(entry);
        if (!listedAsOurs && entry.artifactType !== EMPTY_DESCRIPTOR.mediaType)
            continue;
        if (!listedAsOurs || !annotations) {
            const manifest = await getManifestIfAny(client, repository, entry.digest);
            if (!manifest)
                continue;
            try {
                const json = JSON.parse(manifest.bytes.toString('utf8'));
                if (json.artifactType !== promotion_PROMOTION_ARTIFACT_TYPE)
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

;// CONCATENATED MODULE: ./src/promote-between-registries/referrers.ts
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
const MAX_REFERRER_BYTES = (/* unused pure expression or super */ null && (64 * 1024 * 1024));
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
        findReferrers(client, repository, digest),
        ...COSIGN_SUFFIXES.map((suffix) => getManifestIfAny(client, repository, cosignTag(digest, suffix))),
    ]);
    // Promotion records stay where they were written: each says how the image reached that registry.
    const entries = listed.filter((e) => !isPromotionRecord(e));
    const manifests = await runPool(entries.map((e) => () => getManifestIfAny(client, repository, e.digest)), REFERRER_FETCH_CONCURRENCY);
    const out = [];
    for (const [i, manifest] of manifests.entries()) {
        // An entry whose manifest is gone (a stale fallback index) has nothing to copy; one whose
        // subject is another manifest is not a referrer of this one, whatever the list says.
        if (!manifest || subjectOf(manifest.bytes) !== digest)
            continue;
        const entry = entries[i];
        const type = referrerDescriptor(manifest).artifactType ?? entry.artifactType ?? manifest.mediaType;
        if (type === PROMOTION_ARTIFACT_TYPE)
            continue;
        out.push({
            subject: digest,
            tree: await readImageTree(client, repository, manifest),
            found,
            // The manifest's own artifactType first: some registries list the config's media type instead.
            type,
        });
    }
    for (const [i, manifest] of cosign.entries()) {
        if (!manifest)
            continue;
        const suffix = COSIGN_SUFFIXES[i];
        out.push({
            subject: digest,
            tree: await readImageTree(client, repository, manifest),
            found: 'cosign-tag',
            tag: cosignTag(digest, suffix),
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
    const limit = (what) => new RegistryError(`${client.label}: ${image} has ${what}; refusing to copy its referrers`, 0, undefined, false);
    let queue = [...digests];
    for (let depth = 1; queue.length > 0; depth++) {
        if (depth > MAX_REFERRER_DEPTH)
            throw limit(`referrers more than ${MAX_REFERRER_DEPTH} deep (MAX_REFERRER_DEPTH)`);
        const found = await runPool(queue.map((d) => () => referrersOf(client, repository, d)), REFERRER_FETCH_CONCURRENCY);
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
    const tag = fallbackTag(subject);
    const existing = await referrers_getManifestIfAny(target.destination, target.destinationRepository, tag);
    let merged;
    try {
        merged = mergeFallbackIndex(existing?.bytes, [referrers_referrerDescriptor(manifest)]);
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
    const subject = referrers_subjectOf(manifest.bytes);
    if (!subject) {
        await destination.putManifest(repository, manifest.digest, manifest);
        return;
    }
    const { subjectKept } = await referrers_putManifestWithSubject(destination, repository, manifest);
    if (!subjectKept)
        await registerInFallbackTag({ destination, destinationRepository: repository, dryRun: false }, subject, manifest);
}
function apiList(target, subject) {
    let list = target.apiLists.get(subject);
    if (!list) {
        list = listReferrers(target.destination, target.destinationRepository, subject);
        target.apiLists.set(subject, list);
    }
    return list;
}
async function writeSubjectReferrer(target, referrer, known) {
    const root = referrer.tree.root;
    const subject = subjectOf(root.bytes) ?? referrer.subject;
    const present = known ?? (await target.destination.headManifest(target.destinationRepository, root.digest)) !== undefined;
    if (!present) {
        if (target.dryRun)
            return 'copy';
        await putMissingChildren(target, referrer.tree);
        const { subjectKept } = await putManifestWithSubject(target.destination, target.destinationRepository, root);
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
    if (!isDigest(digest))
        throw new Error('it has no config');
    const res = await client.send({
        method: 'GET',
        path: `${repository}/blobs/${digest}`,
        scopes: [pullScope(repository)],
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
        const add = missingLayers(theirs.bytes, root.bytes);
        if (add.length === 0)
            return 'present';
        if (target.dryRun)
            return 'merge';
        merged = mergeCosignManifest(theirs.bytes, await readConfig(dst, repo, theirs), add);
    }
    catch (error) {
        throw new Error(`${dst.label}: ${repo}:${tag} holds ${theirs.digest}, the source has ${root.digest}, and they cannot be merged (${error instanceof Error ? error.message : String(error)}); the destination's ${tag} was left as it is and nothing was tagged`);
    }
    // The source's own manifest too, by digest: what refers to it (a signature of an attestation) resolves.
    if (!(await dst.headManifest(repo, root.digest)))
        await dst.putManifest(repo, root.digest, root);
    await putSmallBlob(dst, repo, merged.config);
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
    const blob = await blobs_putBlobBytes(client, repository, bundle);
    await blobs_putBlobBytes(client, repository, EMPTY_JSON);
    const manifest = bundleReferrer(subject, blob, predicateType, created);
    await putManifestKeepingSubject(client, repository, manifest);
    return `${client.registry}/${repository}@${manifest.digest}`;
}
async function signDigest(client, repository, digest, key, context = {}, format = 'bundle') {
    const existing = await verify_verifyDigest(client, repository, digest, { keys: keysOf(key), attestations: [] });
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
    const existing = await verify_verifyDigest(client, repository, digest, {
        keys: keysOf(key),
        attestations: [predicateType],
    });
    const normalised = JSON.parse(JSON.stringify(predicate));
    const same = existing.attestations.find((a) => a.format === format && a.predicateType === predicateType && (0,external_node_util_namespaceObject.isDeepStrictEqual)(a.predicate, normalised));
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
    const predicate = formats_testResultPredicate(tests);
    const attested = await sign_attestDigest(client, repository, digest, key, formats_TEST_RESULT_PREDICATE, predicate, format);
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
        summary_heading(title),
        summary_table(['Image', 'Signature', 'Test-result attestation'], signed.map((s) => [
            new summary_Code(`${s.image}@${s.digest}`),
            new summary_Code(s.signature),
            s.attestation ? `${s.result} — ${new summary_Code(s.attestation).text}` : '—',
        ])),
        summary_facts([['Key fingerprint', new summary_Code(key.fingerprint)]]),
    ];
}
/** After a push: signs (and attests) every repository@digest pushed. */
async function signPushed(key, refs, tests, credentialsFor, report, format = 'bundle') {
    const run = tests ? testRunOf(tests) : undefined;
    if (!run)
        report.info('No test report or exit code given: the image is signed, its tests are not attested');
    const signed = [];
    for (const text of refs) {
        const ref = reference_parseReference(text);
        const credentials = credentialsFor(ref.registry);
        const client = resolve_clientFor(ref.registry, credentials ? { credentials } : {});
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
        const ref = reference_parseReference(text);
        const credentials = credentialsFor(ref.registry);
        const client = resolve_clientFor(ref.registry, credentials ? { credentials } : {});
        const index = await client.getManifest(ref.repository, ref.digest);
        if (!image_tree_isIndex(index))
            continue;
        for (const image of image_tree_platformImages(index)) {
            const tested = platforms.find((p) => platformMatches(image.platform, p.platform));
            if (!tested) {
                report.warning(`${reference_repositoryName(ref)}@${image.digest} (${image.platform}) was not tested: not attested`);
                continue;
            }
            report.info(`${image.platform}: ${reference_repositoryName(ref)}@${image.digest}`);
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
        const v = await verifyDigest(i.client, i.repository, i.digest, policy);
        log(v.ok ? `Verified ${describe(v)}` : refusal(v));
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
        heading('Verified before any change'),
        table(['Image', 'Result', 'Key fingerprint', 'Signed at', 'Attestations', 'Tests', 'Test run'], verifications.map((v) => [
            new Code(`${v.image}@${v.digest}`),
            v.ok ? 'verified' : `refused: ${v.problems.join('; ')}`,
            v.signatures[0] ? new Code(v.signatures[0].fingerprint) : '—',
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

;// CONCATENATED MODULE: ./src/push-registry/operation.ts
/**
 * push-registry: log in with a private docker config (password on stdin), push every reference with
 * retries of transient failures, read the digest back from the registry, and log out (or keep the
 * login for the next steps, removed after the job).
 */










const PUSH_CONFIG_STATE = 'docker-config';
const PUSH_REGISTRY_STATE = 'registry';
async function logoutAndRemove(dir, registry) {
    await new LocalRunner().run(logout({ docker: dockerBinary(), env: { DOCKER_CONFIG: dir } }, registry));
    removePrivateDockerConfig(dir);
}
async function runPush(inputs, report) {
    report.mask(inputs.string('password'));
    maskSigningInputs(inputs, report);
    const request = readPushRequest(inputs);
    // The key is opened (and the report checked) before anything is pushed: a wrong password costs no push.
    const signKey = inputs_readSigningKey(inputs);
    const tests = signKey ? inputs_readTestReportInputs(inputs) : undefined;
    const signatureFormat = inputs_readSignatureFormat(inputs);
    const runner = new LocalRunner();
    const env = {};
    let privateConfig;
    if (request.username) {
        privateConfig = createPrivateDockerConfig();
        env.DOCKER_CONFIG = privateConfig;
        report.saveState(PUSH_CONFIG_STATE, privateConfig);
        report.saveState(PUSH_REGISTRY_STATE, request.registry);
    }
    const target = { docker: dockerBinary(), env };
    try {
        if (request.username)
            report.info(`Logging in to ${request.registry} as ${request.username} (private docker config)`);
        await push_login(runner, target, request);
        const plan = await planTagPush(runner, target, request);
        for (const r of plan.renamed) {
            report.warning(`${r.from} is not moved: ${r.reason}; this build is pushed as ${r.to}`);
            await runChecked(runner, tag(target, r.from, r.to));
        }
        for (const k of plan.kept)
            report.info(`${k.reference} is not moved: ${k.reason}`);
        const result = await pushAll(runner, target, { ...request, references: plan.references }, { ...DEFAULT_RETRY, retries: request.retries }, {
            onOutput: (chunk) => report.stream(chunk),
            onRetry: (ref, attempt, delay, reason) => report.warning(`push of ${ref} failed (${reason.split('\n').pop()}); retry ${attempt} of ${request.retries} in ${delay} ms`),
        });
        report.info(`Pushed ${result.digest}: the registry serves the same digest for every tag`);
        const signed = signKey
            ? await signPushed(signKey, result.refs, tests, (registry) => registry === request.registry && request.username && request.password
                ? { username: request.username, password: request.password }
                : undefined, report, signatureFormat)
            : undefined;
        return {
            digest: result.digest,
            outputs: {
                digest: result.digest,
                refs: result.refs.join('\n'),
                tags: plan.references.map(reference_formatReference).join('\n'),
                version: plan.version,
                ...signed?.outputs,
            },
            summary: [
                summary_heading('Pushed'),
                summary_table(['Reference', 'Attempts'], result.pushed.map((p) => [new summary_Code(p.reference), p.attempts])),
                summary_facts([
                    ['Digest', new summary_Code(result.digest)],
                    ['Pinned references', result.refs.join('\n')],
                    ['Bytes pushed', formatBytes(result.bytesPushed)],
                    ['Retries used', result.retriesUsed],
                    ...plan.renamed.map((r) => ['Rerun version', `${r.to}: ${r.reason}`]),
                    ...plan.kept.map((k) => ['Not moved', `${k.reference}: ${k.reason}`]),
                ]),
                ...(signed?.summary ?? []),
            ],
        };
    }
    finally {
        if (privateConfig) {
            if (request.logout) {
                await logoutAndRemove(privateConfig, request.registry);
                report.saveState(PUSH_CONFIG_STATE, '');
            }
            else {
                // Later steps of the job keep the login; the post step removes it at the end of the job.
                report.exportVariable('DOCKER_CONFIG', privateConfig);
            }
        }
    }
}
/** The post step: removes the private docker config a kept login (logout: false) left for the job. */
async function afterPush(report) {
    const dir = report.readState(PUSH_CONFIG_STATE);
    if (!dir)
        return;
    await logoutAndRemove(dir, report.readState(PUSH_REGISTRY_STATE));
    report.info('Removed the private docker config and its login');
}

;// CONCATENATED MODULE: ./src/test-in-container/operation.ts
/**
 * test-in-container: for each platform tested, services on a private network, the tests in that
 * platform's image, JUnit read back, always cleaned up. The step fails when any platform fails.
 */









const TEST_SESSION_STATE = 'test-session';
function platformResult(target, outcome) {
    return {
        platform: target.platform,
        image: target.image,
        ...(target.digest && { digest: target.digest }),
        'exit-code': outcome.exitCode,
        'timed-out': outcome.timedOut,
        ...(outcome.junit && {
            passed: outcome.junit.passed,
            failed: outcome.junit.failed,
            skipped: outcome.junit.skipped,
        }),
        ...(outcome.report && { report: outcome.report }),
        'duration-ms': Math.round(outcome.durationMs),
    };
}
function counts(result) {
    return result.passed !== undefined
        ? `${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`
        : 'no report';
}
/** The step's error, or undefined when every platform passed (one platform: as it always read). */
function testError(results, timeoutMs) {
    const failed = results.filter((r) => r['exit-code'] !== 0);
    if (failed.length === 0)
        return undefined;
    const why = (r) => r['timed-out']
        ? `the tests timed out after ${formatDuration(timeoutMs)} and were killed`
        : `the tests failed with exit code ${r['exit-code']} (${counts(r)})`;
    if (results.length === 1)
        return why(failed[0]);
    const passed = results.filter((r) => r['exit-code'] === 0).map((r) => r.platform);
    return `${failed.map((r) => `on ${r.platform}: ${why(r)}`).join('; ')}${passed.length > 0 ? ` (passed on ${passed.join(', ')})` : ''}`;
}
/** A directory name for a platform's reports (linux/arm64/v8 → linux-arm64-v8). */
function platformSlug(platform) {
    return platform.replace(/[^A-Za-z0-9._-]+/g, '-');
}
/**
 * Runs the tests. `given`: the platforms and images to test, decided by the caller (the root
 * action, which loads each built platform from the builder), instead of reading them from `image`.
 */
function runTest(inputs, report) {
    return runTestOn(inputs, report, undefined);
}
async function runTestOn(inputs, report, given) {
    const request = readTestRequest(inputs);
    const runner = new LocalRunner();
    const target = { docker: dockerBinary() };
    const session = newSession();
    report.saveState(TEST_SESSION_STATE, session.id);
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const reportRoot = (0,external_node_path_namespaceObject.join)(process.env.RUNNER_TEMP ?? (0,external_node_os_namespaceObject.tmpdir)(), session.id);
    try {
        const tested = given
            ? {
                targets: given,
                runner: (await runChecked(runner, serverPlatform(target))).stdout.trim(),
                source: 'given',
            }
            : await resolveTestPlatforms(runner, target, request.image, request.platforms);
        // Before anything runs: every platform must be runnable here (natively or emulated).
        if (localEngine())
            checkRunnable(tested.targets, tested.runner, readBinfmt(), request.platforms.length > 0);
        report.info(describeTested(request.image, tested));
        const several = tested.targets.length > 1;
        const results = [];
        const outcomes = [];
        for (const platform of tested.targets) {
            if (await ensurePulled(runner, target, platform))
                report.info(`Pulled ${platform.image} (${platform.platform})`);
            const title = `${several ? `${platform.platform}: ` : ''}Services (${request.services.length})`;
            const outcome = await report.group(title, () => runTests(runner, target, {
                ...request,
                image: platform.image,
                ...(platform.runPlatform && { runPlatform: platform.platform }),
            }, session, { workspace, reportDir: several ? (0,external_node_path_namespaceObject.join)(reportRoot, platformSlug(platform.platform)) : reportRoot }, { log: (line) => report.info(line), onOutput: (chunk) => report.stream(chunk) }));
            // The next platform starts from nothing: its own services, network and test container.
            if (several)
                await cleanupSession(runner, target, session.id);
            for (const failure of outcome.junit?.failures ?? []) {
                report.annotate(failure.details || failure.message, {
                    title: `${several ? `[${platform.platform}] ` : ''}${failure.classname ? `${failure.classname} › ` : ''}${failure.name}`,
                    ...(failure.file && { file: failure.file }),
                    ...(failure.line !== undefined && { line: failure.line }),
                });
            }
            const result = platformResult(platform, outcome);
            if (result['exit-code'] === 0)
                report.info(`Tests passed${several ? ` on ${platform.platform}` : ''} (${counts(result)})`);
            else if (several)
                report.info(`Tests failed on ${platform.platform} (exit code ${result['exit-code']}, ${counts(result)})`);
            results.push(result);
            outcomes.push(outcome);
        }
        const error = testError(results, request.timeoutMs);
        const sum = (key) => results.every((r) => r[key] === undefined)
            ? ''
            : String(results.reduce((n, r) => n + (r[key] ?? 0), 0));
        const own = results.find((r) => r.platform.split('/').slice(0, 2).join('/') === tested.runner) ?? results[0];
        const firstFailed = results.find((r) => r['exit-code'] !== 0);
        const single = outcomes[0];
        return {
            outputs: {
                'exit-code': String((firstFailed ?? results[0])?.['exit-code'] ?? ''),
                passed: sum('passed'),
                failed: sum('failed'),
                skipped: sum('skipped'),
                report: several ? (results.some((r) => r.report) ? reportRoot : '') : (single.report ?? ''),
                platform: own?.platform ?? '',
                platforms: results.map((r) => r.platform).join(','),
                results: JSON.stringify(results),
            },
            summary: [
                summary_heading(`Tests in ${request.image}: ${error ? 'failed' : 'passed'}`),
                several
                    ? summary_table(['Platform', 'Result', 'Tests', 'Duration', 'Report'], results.map((r) => [
                        r.platform,
                        r['timed-out']
                            ? 'timed out'
                            : r['exit-code'] === 0
                                ? 'passed'
                                : `failed (exit code ${r['exit-code']})`,
                        counts(r),
                        formatDuration(r['duration-ms']),
                        r.report ? new summary_Code(r.report) : '—',
                    ]))
                    : summary_facts([
                        [
                            'Result',
                            single.timedOut
                                ? `timed out after ${formatDuration(request.timeoutMs)}`
                                : `exit code ${single.exitCode}`,
                        ],
                        ['Tests', counts(results[0])],
                        ['Platform', results[0].platform],
                        ['Duration', formatDuration(single.durationMs)],
                        ['Report', single.report ? new summary_Code(single.report) : '—'],
                    ]),
                ...(single.services.length > 0
                    ? [
                        summary_table(['Service', 'Ready after', 'Waited on'], single.services.map((s) => [s.name, formatDuration(s.readyMs), s.how])),
                    ]
                    : []),
                ...(outcomes.some((o) => (o.junit?.failures.length ?? 0) > 0)
                    ? [
                        summary_table([...(several ? ['Platform'] : []), 'Failed test', 'Where', 'Message'], outcomes.flatMap((o, i) => (o.junit?.failures ?? []).map((f) => [
                            ...(several ? [results[i].platform] : []),
                            f.name,
                            f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '',
                            f.message,
                        ]))),
                    ]
                    : []),
            ],
            ...(error && { error }),
        };
    }
    finally {
        const removed = await cleanupSession(runner, target, session.id);
        report.info(`Removed ${removed} container(s) and network ${session.network}`);
    }
}
/** The post step: removes the containers a cancelled run left behind. */
async function afterTest(report) {
    const id = report.readState(TEST_SESSION_STATE);
    if (!id)
        return;
    const removed = await cleanupSession(new LocalRunner(), { docker: dockerBinary() }, id);
    if (removed > 0)
        report.info(`Removed ${removed} leftover container(s) of ${id}`);
}

;// CONCATENATED MODULE: ./src/pipeline/operation.ts
/**
 * The root action: build-and-tag → test-in-container → push-registry in one process, each step fed
 * the previous one's results. The same operations as the three actions, so the behaviour is theirs.
 */


















async function runPipeline(inputs, report) {
    // Every input is checked before the build starts: a typo in a push input must not cost a build.
    const push = inputs.boolean('push', true);
    maskSigningInputs(inputs, report);
    if (push) {
        inputs_readSigningKey(inputs);
        inputs_readSignatureFormat(inputs);
    }
    // push-by-digest: this job's platform, pushed by digest (no tag) for merge-by-digest to assemble.
    const byDigest = inputs.boolean('push-by-digest', false);
    if (byDigest && !push)
        throw new inputs_InputError('push-by-digest', 'needs push: true (it says how the image is pushed: by digest, no tag)');
    // `push` here is the pipeline's (after the tests), never build-and-tag's push from the builder.
    const buildInputs = inputs.with({ push: 'false', 'push-by-digest': 'false' });
    const git = readGitContext();
    const request = readBuildRequest(buildInputs);
    const planned = planBuild(request, git).references.join('\n');
    if (inputs.string('run'))
        readTestRequest(inputs.with({ image: planned.split('\n')[0] }));
    // Several platforms form an index the engine's classic store cannot hold: after the tests the
    // same build is pushed from the builder (all cache hits), with the runner's registry login; so is
    // an image pushed by digest.
    const multi = (request.buildx?.platforms.length ?? 0) > 1;
    const fromBuilder = multi || byDigest;
    if (push && fromBuilder && inputs.string('username'))
        throw new inputs_InputError('username', `${multi ? 'a multi-platform image' : 'an image pushed by digest'} is pushed from the buildx builder with the docker login of the job: log in first (docker/login-action) instead of passing username and password`);
    if (push && !fromBuilder)
        readPushRequest(inputs.with({ tags: planned }));
    // Every platform built is tested before anything is pushed: an unpushed multi-platform build
    // loads each platform from the builder's cache (the runner's tagged, the others by image id).
    const testing = Boolean(inputs.string('run'));
    // A platform this runner cannot run (no emulation) is refused before the build, not after it.
    const platforms = request.buildx?.platforms ?? [];
    if (testing && platforms.length > 0 && localEngine()) {
        const runner = await runChecked(new LocalRunner(), serverPlatform({ docker: dockerBinary() }));
        const targets = platforms.map((platform) => ({ platform, image: planned }));
        checkRunnable(targets, runner.stdout.trim(), readBinfmt(), true);
    }
    const built = await runBuild(buildInputs, report, git, undefined, testing && multi);
    const outputs = { ...built.outputs };
    const summary = [...built.summary];
    // Pushed by digest: tested by image id (another job on the same engine may load the same tag).
    const image = (byDigest && built.imageId) || (built.references[0] ?? built.imageId);
    const others = (built.platformImages ?? []).filter((p) => p.imageId !== built.imageId);
    let testedResults = [];
    if (testing) {
        const targets = multi ? testTargets(built, image, request.buildx?.platforms ?? []) : undefined;
        const tested = await report
            .group(`Testing ${image}`, () => runTestOn(inputs.with({ image }), report, targets))
            .finally(() => removeImages(others.map((p) => p.imageId)));
        Object.assign(outputs, tested.outputs);
        summary.push(...tested.summary);
        if (tested.error)
            return { outputs, summary, error: tested.error };
        testedResults = JSON.parse(tested.outputs.results ?? '[]');
    }
    else {
        report.info('No run input: the tests are skipped');
    }
    if (!push) {
        report.info('push: false — built and tested, not pushed');
        return { outputs, summary };
    }
    // With sign-key, the tests just run are attested: their report, exit code and command.
    const tested = inputs.string('run')
        ? {
            'test-report': outputs.report ?? '',
            'test-exit-code': outputs['exit-code'] ?? '',
            'test-command': inputs.string('run'),
        }
        : {};
    if (fromBuilder) {
        const pushedBuild = await report.group(byDigest ? 'Pushing by digest from the builder' : 'Pushing every platform from the builder', 
        // The tested build again, from its cache: no-cache or pull here would build (and push) an
        // image nobody tested (a new base, a new RUN's output).
        () => runBuild(inputs.with({ push: 'true', 'no-cache': 'false', pull: 'false' }), report, git));
        outputs.digest = pushedBuild.outputs.digest ?? '';
        const refs = [...new Set(built.references.map((r) => `${r.replace(/:[^:/]+$/, '')}@${outputs.digest}`))];
        outputs.refs = refs.join('\n');
        if (byDigest && testing && built.imageId)
            await pushedIsTested(refs[0], built.imageId, report);
        summary.push(...pushedBuild.summary);
        // The index pushed from the builder is signed like a pushed image: with the username and
        // password given, else with the job's docker login (its config.json), as the builder pushed.
        const signKey = inputs_readSigningKey(inputs);
        if (signKey) {
            const withTests = inputs.with(tested);
            const username = inputs.string('username');
            const password = inputs.string('password');
            const signed = await signPushed(signKey, refs, inputs_readTestReportInputs(withTests), () => (username && password ? { username, password } : undefined), report, inputs_readSignatureFormat(inputs));
            Object.assign(outputs, signed.outputs);
            summary.push(...signed.summary);
            // Each platform manifest: its own signature and the test result of its own run.
            const perPlatform = await report.group('Attesting each platform', () => signPlatforms(signKey, refs, testedResults.map((r) => ({
                platform: r.platform,
                tests: {
                    ...(r.report && { report: r.report }),
                    exitCode: r['exit-code'],
                    command: inputs.string('run'),
                },
            })), () => (username && password ? { username, password } : undefined), report, inputs_readSignatureFormat(inputs)));
            if (perPlatform.length > 0)
                summary.push(...signedSummary(perPlatform, signKey, 'Signed and attested per platform').slice(0, 2));
        }
        return { outputs, summary };
    }
    const pushed = await runPush(inputs.with({ tags: built.references.join('\n'), ...tested }), report);
    Object.assign(outputs, pushed.outputs);
    summary.push(...pushed.summary);
    return { outputs, summary };
}
/**
 * An image pushed by digest is the one tested: the pushed manifest (or its index's one image) has
 * the tested image's id as its config digest (the classic image store) or as its own digest (the
 * containerd image store). Throws naming both otherwise: the builder rebuilt something else.
 */
async function pushedIsTested(ref, imageId, report) {
    const parsed = reference_parseReference(ref);
    const client = resolve_clientFor(parsed.registry);
    const pushed = await client.getManifest(parsed.repository, parsed.digest);
    const manifests = image_tree_isIndex(pushed)
        ? await Promise.all(image_tree_platformImages(pushed).map((p) => client.getManifest(parsed.repository, p.digest)))
        : [pushed];
    const ids = [
        pushed.digest,
        ...manifests.flatMap((m) => [m.digest, parseManifest(m.bytes).config?.digest ?? '']),
    ];
    if (!ids.includes(imageId))
        throw new Error(`${ref} is not the image tested (${imageId}): its manifest and config are ${ids.filter(Boolean).join(', ')}`);
    report.info(`${ref} is the image tested (${imageId})`);
}
/**
 * What the tests run on for a multi-platform build: each platform loaded from the builder (the
 * runner's under the build's tag, the others by image id); when the engine holds the whole index
 * (the containerd image store), each platform of the tag, picked with docker run --platform.
 */
function testTargets(built, image, platforms) {
    if (built.platformImages && built.platformImages.length > 0)
        return built.platformImages.map((p) => ({ platform: p.platform, image: p.imageId }));
    return platforms.map((platform) => ({ platform, image, runPlatform: true }));
}
/** Removes the untagged per-platform images loaded for the tests (by id; what is in use stays). */
async function removeImages(ids) {
    if (ids.length === 0)
        return;
    await new LocalRunner().run({ argv: [dockerBinary(), 'image', 'rm', ...ids] });
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

;// CONCATENATED MODULE: ./src/actions/pipeline.ts




void runAction({
    main: ({ inputs, report }) => runPipeline(inputs, report),
    async post({ report }) {
        await afterTest(report);
        await afterPush(report);
    },
});

})();

module.exports = __webpack_exports__;
/******/ })()
;