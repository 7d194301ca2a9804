package activities

import (
	"context"
	"crypto/tls"
	"errors"
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
			if err := a.send(ctx, m); err != nil {
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
func (a *Activities) send(ctx context.Context, m school.MailOutbox) error {
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
	return sendMail(ctx, a.Mail.Addr, host, auth, a.Mail.From, m.ToAddress, []byte(msg))
}

// sendMail is smtp.SendMail bound to the activity's context: a mail server
// that accepts the connection and then says nothing cannot hold the
// activity (and its slot in the worker) past its timeout.
func sendMail(ctx context.Context, addr, host string, auth smtp.Auth, from, to string, msg []byte) error {
	conn, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("smtp: the server does not offer AUTH")
		}
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
