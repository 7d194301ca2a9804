package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
)

type mailboxPage struct {
	Licence platform.Licence
	Mails   []school.MailOutbox
}

// handleDevMailbox shows the school's mail outbox, newest first: in `make
// run` nothing is sent, and this is where invitations can be read.
func (s *Server) handleDevMailbox(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	page := mailboxPage{Licence: lic}
	if page.Mails, err = s.portal.Outbox(c, lic.ID); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "mailbox", page)
	return nil
}
