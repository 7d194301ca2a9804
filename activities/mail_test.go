package activities_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/workflows"
)

// smtpSink is a minimal SMTP server that keeps what it is sent.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpSink) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = conn.Write([]byte(line + "\r\n")) }
	say("220 sink ready")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case cmd == "DATA":
			say("354 go on")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, msg.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpSink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// TestSendOutbox sends a school's unsent mails once through SMTP; without
// a mail server configured nothing leaves the outbox.
func TestSendOutbox(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Beuk", "66BE")
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return school.New(pool).EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "k1", ToAddress: "zoë@voorbeeld.invalid",
			Subject: "Uw instemming gevraagd met het plan van de school", Body: "Beste Zoë,\n\nLog in op TOP dossier.\n"})
	})
	if err != nil {
		t.Fatal(err)
	}
	off := &activities.Activities{Tenants: p.Tenants}
	if n, err := off.SendOutbox(ctx, workflows.SendOutboxInput{LicenceID: lic.ID.String()}); err != nil || n != 0 {
		t.Fatalf("without SMTP: sent %d (err %v), want 0", n, err)
	}
	sink := newSMTPSink(t)
	on := &activities.Activities{Tenants: p.Tenants,
		Mail: config.MailConfig{Addr: sink.ln.Addr().String(), From: "noreply@topdossier.invalid"}}
	for range 2 {
		if _, err := on.SendOutbox(ctx, workflows.SendOutboxInput{LicenceID: lic.ID.String()}); err != nil {
			t.Fatal(err)
		}
	}
	msgs := sink.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails delivered, want 1", len(msgs))
	}
	for _, want := range []string{"To: zoë@voorbeeld.invalid", "Subject: Uw instemming gevraagd", "charset=utf-8", "Beste Zoë,\r\n"} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("mail lacks %q:\n%s", want, msgs[0])
		}
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		unsent, err := school.New(pool).ListUnsentMail(ctx, 10)
		if len(unsent) != 0 {
			t.Errorf("%d mails still unsent", len(unsent))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
