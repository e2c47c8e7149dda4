'use strict';
// The yardstick of the benchmark's whole-process pairing (lib/wholeProcess.ts): a plain nodemailer script, as one
// would write it by hand, sending the HTML rendered beforehand and the same image files as cid attachments.
//   node test/bench/floor-send.js FLOOR_JSON PORT FROM TO
const fs = require('fs');
const nodemailer = require('nodemailer');

const [file, port, from, to] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(file, 'utf8'));
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(port), secure: false, ignoreTLS: true });
transport
  .sendMail({
    from,
    to,
    subject: input.subject,
    text: input.text,
    html: input.html,
    attachments: input.attachments.map((a) => ({ path: a.path, cid: a.cid, filename: a.filename })),
  })
  .then(
    (info) => {
      console.log(info.response);
      transport.close();
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
