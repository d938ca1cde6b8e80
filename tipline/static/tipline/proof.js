// Proof of work for the report form, asked for only while Tipline is under a
// flood of reports (tipline/intake/proof.py explains why). The page works without
// this script: a form sent without a proof is only held a little longer.
//
// Find n such that SHA-256("<form token>:<n>") starts with `bits` zero bits. The
// work starts when the page loads, so it is usually done before the reporter has
// finished writing; if not, sending waits for it and says so.
"use strict";

(function () {
  const form = document.querySelector("form[data-proof-bits]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  const bits = Number.parseInt(form.dataset.proofBits, 10);
  const token = form.elements.namedItem("token");
  const answer = form.elements.namedItem("proof");
  const status = document.getElementById("proof-status");
  if (!(bits > 0) || !token || !answer) {
    return;
  }
  const encoder = new TextEncoder();
  const BATCH = 512;
  let solved = false;
  let sendWhenSolved = false;

  function zeroBits(digest) {
    const bytes = new Uint8Array(digest);
    let count = 0;
    for (const byte of bytes) {
      if (byte === 0) {
        count += 8;
        continue;
      }
      return count + Math.clz32(byte) - 24;
    }
    return count;
  }

  async function solve(prefix) {
    for (let start = 0; ; start += BATCH) {
      const digests = [];
      for (let n = start; n < start + BATCH; n += 1) {
        digests.push(crypto.subtle.digest("SHA-256", encoder.encode(prefix + n)));
      }
      const results = await Promise.all(digests);
      for (let i = 0; i < results.length; i += 1) {
        if (zeroBits(results[i]) >= bits) {
          return start + i;
        }
      }
    }
  }

  function send() {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  form.addEventListener("submit", function (event) {
    if (solved) {
      return;
    }
    event.preventDefault();
    sendWhenSolved = true;
    if (status) {
      status.hidden = false;
    }
  });

  solve(token.value + ":").then(
    function (nonce) {
      answer.value = String(nonce);
      solved = true;
      if (sendWhenSolved) {
        send();
      }
    },
    function () {
      // No proof: the form is sent as without JavaScript and held a little longer.
      solved = true;
      if (sendWhenSolved) {
        send();
      }
    },
  );
})();
