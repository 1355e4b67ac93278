// Signing a device in (OAuth 2.0 device grant): the person checks the code the device shows,
// picks the org the device will act in, and approves or denies it.

import { api } from "./api.js";
import { field, h, status } from "./dom.js";
import { atLeast } from "./rules.js";

export function screen(view) {
  const region = status();
  const usable = view.orgs.filter((org) => atLeast(org.role, "developer"));
  const code = h("input", {
    name: "user_code", required: true, maxlength: 32, autocomplete: "off", spellcheck: "false",
    value: view.params.user_code || "", placeholder: "XXXX-XXXX",
  });
  const org = h("select", { name: "org_id", required: true },
    usable.map((item) => h("option", { value: item.id, selected: item.id === view.me.current_org_id },
      item.personal ? `${item.name} (personal)` : item.name)));
  const decide = async (approve, button) => {
    if (!code.value.trim()) return region.set("Enter the code the device shows.", "error");
    button.disabled = true;
    try {
      await api("POST", "/api/oauth/device/decisions", { user_code: code.value, org_id: org.value, approve });
      region.set(approve
        ? "Approved. The device is signed in to this org with a key of yours (valid 30 days); revoke it under API keys."
        : "Denied. The device gets nothing.", "success");
      code.value = "";
    } catch (error) {
      region.set(error.status === 404
        ? "This code is unknown, expired or already used. Start the sign-in on the device again."
        : error.message, "error");
    } finally {
      button.disabled = false;
    }
  };
  const approve = h("button", { type: "button" }, "Approve");
  const deny = h("button", { type: "button", class: "danger" }, "Deny");
  approve.addEventListener("click", () => decide(true, approve));
  deny.addEventListener("click", () => decide(false, deny));
  return h("main", { id: "main", class: "narrow" },
    h("h1", {}, "Sign in a device"),
    h("p", {}, "A program (the OpenHands CLI or another client) asked to act for you. Approve only a code you started yourself and can see on that device."),
    usable.length
      ? [field("Code shown on the device", code), field("Org the device will act in", org),
        h("p", { class: "actions" }, approve, " ", deny), region]
      : h("p", { class: "reason" }, "You need the developer role or higher in an org to sign a device in."));
}
