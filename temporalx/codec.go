// Package temporalx connects TOP dossier to Temporal: the client with the
// encrypting payload codec and the metrics handler, and the search
// attributes the workflows use.
package temporalx

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Encoding and metadata keys of encrypted payloads.
const (
	EncodingEncrypted = "binary/encrypted"
	metaEncoding      = "encoding"
	metaKeyID         = "encryption-key-id"
)

// ErrUnknownKey is returned when a payload was encrypted with a key the
// codec does not hold.
var ErrUnknownKey = errors.New("payload encrypted with an unknown key")

// Codec encrypts every payload with AES-256-GCM, so workflow inputs,
// results, signals and activity data are unreadable in Temporal's
// histories and UI. It decrypts with any key it holds and encrypts with
// the first.
type Codec struct {
	current string
	keys    map[string]cipher.AEAD
}

// NewCodec returns a codec for one or more 32-byte keys; the first one
// encrypts, all of them decrypt (for key rotation).
func NewCodec(keys ...[]byte) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("payload codec: no key")
	}
	c := &Codec{keys: map[string]cipher.AEAD{}}
	for i, key := range keys {
		if len(key) != 32 {
			return nil, fmt.Errorf("payload codec: key %d has %d bytes, want 32", i+1, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		sum := sha256.Sum256(key)
		id := hex.EncodeToString(sum[:4])
		if i == 0 {
			c.current = id
		}
		c.keys[id] = aead
	}
	return c, nil
}

// Encode encrypts each payload whole: its metadata (encoding, type) too.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.keys[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				metaEncoding: []byte(EncodingEncrypted),
				metaKeyID:    []byte(c.current),
			},
			Data: aead.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

// Decode decrypts encrypted payloads and passes others through unchanged.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[metaEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		aead, ok := c.keys[string(p.GetMetadata()[metaKeyID])]
		if !ok {
			return nil, ErrUnknownKey
		}
		n := aead.NonceSize()
		if len(p.GetData()) < n {
			return nil, errors.New("payload codec: ciphertext too short")
		}
		plain, err := aead.Open(nil, p.GetData()[:n], p.GetData()[n:], nil)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		var decoded commonpb.Payload
		if err := proto.Unmarshal(plain, &decoded); err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		out[i] = &decoded
	}
	return out, nil
}

// DataConverter wraps the default converter with the codec.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

var _ converter.PayloadCodec = (*Codec)(nil)
