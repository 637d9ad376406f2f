"use strict";
exports.id = 110;
exports.ids = [110];
exports.modules = {

/***/ 2110:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   VerificationError: () => (/* reexport safe */ _supply_chain_verify__WEBPACK_IMPORTED_MODULE_4__.mk),
/* harmony export */   readVerifyPolicy: () => (/* reexport safe */ _supply_chain_inputs__WEBPACK_IMPORTED_MODULE_3__.gg),
/* harmony export */   verificationSummary: () => (/* reexport safe */ _supply_chain_operation__WEBPACK_IMPORTED_MODULE_1__.Ob),
/* harmony export */   verifyPromotion: () => (/* binding */ verifyPromotion)
/* harmony export */ });
/* harmony import */ var _common_reference__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3160);
/* harmony import */ var _supply_chain_operation__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3656);
/* harmony import */ var _inputs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2146);
/* harmony import */ var _supply_chain_inputs__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(650);
/* harmony import */ var _supply_chain_verify__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5126);
/**
 * Before a promotion copies anything: every source digest must carry a signature by verify-key and
 * the required attestations. The verified digest becomes the pair's expected digest, so a tag moved
 * after the check is refused by the copy instead of promoting something unverified.
 * Loaded only when verify-key or require-attestations is given (operation.ts): everything the
 * promotion needs from the signature code comes through here.
 */






async function verifyPromotion(request, policy, log, signal) {
    const clients = (0,_inputs__WEBPACK_IMPORTED_MODULE_2__/* .clientsFor */ .US)(request, signal);
    const digests = new Map();
    const images = [];
    for (const pair of request.pairs) {
        const key = (0,_common_reference__WEBPACK_IMPORTED_MODULE_0__/* .formatReference */ .FH)(pair.source) + (pair.expectedDigest ?? '');
        if (digests.has(key))
            continue;
        const client = clients.source(pair.source.registry);
        const digest = pair.expectedDigest ??
            pair.source.digest ??
            (await client.headManifest(pair.source.repository, pair.source.tag ?? 'latest'))?.digest;
        if (!digest)
            throw new Error(`${(0,_common_reference__WEBPACK_IMPORTED_MODULE_0__/* .formatReference */ .FH)(pair.source)} does not exist: nothing was copied`);
        digests.set(key, digest);
        images.push({ client, repository: pair.source.repository, digest });
    }
    const verified = await (0,_supply_chain_operation__WEBPACK_IMPORTED_MODULE_1__/* .verifyAll */ .Vf)(images, policy, log);
    const pairs = request.pairs.map((pair) => ({
        ...pair,
        expectedDigest: digests.get((0,_common_reference__WEBPACK_IMPORTED_MODULE_0__/* .formatReference */ .FH)(pair.source) + (pair.expectedDigest ?? '')),
    }));
    return { request: { ...request, pairs }, verified };
}


/***/ })

};
;