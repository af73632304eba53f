// The public page of the center's service commitments (/commitments): no login.
import { drawCommitments, loadCommitments } from "./commitments.js";
import { replace, h } from "./dom.js";
import { initI18n } from "./i18n.js";

async function start() {
  await initI18n();
  const container = document.getElementById("commitments");
  try {
    const commitments = await loadCommitments();
    drawCommitments(container, commitments);
    document.addEventListener("fayuan:language", () => drawCommitments(container, commitments));
  } catch {
    replace(document.getElementById("page-error"), h("p", { i18n: "error.network" }));
  }
  document.body.dataset.ready = "commitments";
}

start();
