package activities

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/workflows"
)

// SendOutbox sends the licence's unsent mails, oldest first, and marks
// each sent. A mail is sent at least once: a crash between sending and
// marking sends it again. A failing SMTP server fails the activity, which
// Temporal retries with backoff; the mails wait in the outbox.
func (a *Activities) SendOutbox(ctx context.Context, in workflows.SendOutboxInput) (int, error) {
	if a.Mail.Addr == "" {
		return 0, nil
	}
	licenceID, err := uuid.Parse(in.LicenceID)
	if err != nil {
		return 0, nonRetryable(fmt.Errorf("invalid licence id: %w", err))
	}
	sent := 0
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		mails, err := q.ListUnsentMail(ctx, 100)
		if err != nil {
			return err
		}
		for _, m := range mails {
			if err := a.send(m); err != nil {
				_ = q.MarkMailFailed(ctx, m.ID)
				return fmt.Errorf("send mail %s: %w", m.ID, err)
			}
			if err := q.MarkMailSent(ctx, m.ID); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, wrap("send outbox", err)
}

// send delivers one mail as UTF-8 plain text.
func (a *Activities) send(m school.MailOutbox) error {
	host, _, err := net.SplitHostPort(a.Mail.Addr)
	if err != nil {
		return err
	}
	var auth smtp.Auth
	if a.Mail.Username != "" {
		auth = smtp.PlainAuth("", a.Mail.Username, a.Mail.Password, host)
	}
	for _, h := range []string{m.ToAddress, a.Mail.From} {
		if strings.ContainsAny(h, "\r\n") {
			return fmt.Errorf("address with a line break")
		}
	}
	msg := "From: " + a.Mail.From + "\r\n" +
		"To: " + m.ToAddress + "\r\n" +
		"Subject: " + mime.QEncoding.Encode("utf-8", m.Subject) + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <" + m.ID.String() + "@topdossier>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n")
	return smtp.SendMail(a.Mail.Addr, auth, a.Mail.From, []string{m.ToAddress}, []byte(msg))
}
