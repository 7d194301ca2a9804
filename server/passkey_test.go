package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/topdossier/topdossier/internal/browsertest"
	"github.com/topdossier/topdossier/internal/poll"
)

// TestPasskeyInBrowser: a guardian adds a passkey on "Mijn account" and
// logs in with it, in headless Chromium with a virtual authenticator.
// WebAuthn needs a host name, so the test browses to localhost.
func TestPasskeyInBrowser(t *testing.T) {
	h := newHarness(t)
	base := strings.Replace(h.http.URL, "127.0.0.1", "localhost", 1)
	h.srv.cfg.WebAuthn = WebAuthnConfig{RPID: "localhost", Origins: []string{base}}
	h.user(t, "ouder@thuis.invalid", "guardian")

	ctx := browsertest.New(t, time.Minute)
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("enable webauthn: %v", err)
	}
	_, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true},
	})
	if err != nil {
		t.Fatalf("add virtual authenticator: %v", err)
	}

	// Password and code first, as the account has no passkey yet.
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/inloggen"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "ouder@thuis.invalid"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/inloggen"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), h.code(t, "ouder@thuis.invalid")),
		chromedp.Click(chromedp.CSS(`form[action="/inloggen/code"] button`)),
		chromedp.WaitVisible(chromedp.CSS("form.logout")),
		chromedp.Navigate(base+"/account"),
		chromedp.Click(chromedp.ID("passkey-add")),
	)
	if err != nil {
		t.Fatalf("log in and add a passkey: %v", err)
	}
	if !poll.Until(15*time.Second, func() bool {
		table, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table")))
		return strings.Contains(table, "Passkey van")
	}) {
		msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("passkey-status")))
		t.Fatalf("passkey not added; page says %q", msg)
	}

	// Log out, then in again with the passkey alone.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.ID("passkey-login")),
		chromedp.Click(chromedp.ID("passkey-login")),
		chromedp.WaitVisible(chromedp.CSS("form.logout")),
	)
	if err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("passkey-status")))
		t.Fatalf("log in with the passkey: %v (page says %q)", err, msg)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("form.logout span")))
	if err != nil || who != "Test ouder" {
		t.Errorf("logged in as %q (err %v), want Test ouder", who, err)
	}
	var used bool
	if err := h.platform.Pool.QueryRow(context.Background(),
		"SELECT last_used_at IS NOT NULL FROM passkey p JOIN app_user u ON u.id = p.user_id WHERE u.email = 'ouder@thuis.invalid'").Scan(&used); err != nil || !used {
		t.Errorf("passkey use not recorded (err %v)", err)
	}
}
