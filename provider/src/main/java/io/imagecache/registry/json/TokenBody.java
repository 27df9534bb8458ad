package io.imagecache.registry.json;

import com.google.gson.annotations.SerializedName;

/** A token service answer; Docker's spec names the field {@code token}, OAuth2 ones {@code access_token}. */
public record TokenBody(String token, @SerializedName("access_token") String accessToken,
        @SerializedName("expires_in") Integer expiresIn) {

    /** {@code token}, else {@code access_token}, else null. */
    public String bearer() {
        if (token != null && !token.isEmpty()) {
            return token;
        }
        return accessToken == null || accessToken.isEmpty() ? null : accessToken;
    }

    @Override
    public String toString() {
        return "TokenBody[****]";
    }
}
