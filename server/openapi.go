package server

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

// openAPIDocument describes /api/v1; a test checks it against the routes.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) handleOpenAPI(c *gin.Context) {
	c.Data(200, "application/json", openAPIDocument)
}
