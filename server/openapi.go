package server

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

// openAPIDocument describes the first routes of /api/v1 by hand; the
// operations of apiOps are added to it from their table (openAPIWith). A
// test checks the whole against the routes.
//
//go:embed openapi.json
var openAPIDocument []byte

// apiOps are the operations registered from a table, with their
// description.
func (s *Server) apiOps() []apiOp {
	ops := append(s.schoolOps(), s.rodOps()...)
	ops = append(ops, s.retentionOps()...)
	ops = append(ops, s.lasOps()...)
	ops = append(ops, s.transferOps()...)
	ops = append(ops, s.osoOps()...)
	return append(ops, s.swvOps()...)
}

// openAPI is the whole document, made once.
func (s *Server) openAPI() ([]byte, error) {
	s.openAPIOnce.Do(func() {
		s.openAPIDoc, s.openAPIErr = openAPIWith(openAPIDocument, s.apiOps())
	})
	return s.openAPIDoc, s.openAPIErr
}

func (s *Server) handleOpenAPI(c *gin.Context) {
	doc, err := s.openAPI()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(200, "application/json", doc)
}
