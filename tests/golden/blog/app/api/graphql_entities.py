"""Each entity's GraphQL operations (app/schema.graphql), bound to the service
functions and models its REST routes use (app/api/graphql.py)."""

from __future__ import annotations

from functools import partial

from app.api.feeds import FEEDS
from app.api.graphql import GraphQLEntity, Many, Names, One
from app.schemas import bookmark as schemas_bookmark
from app.schemas import comment as schemas_comment
from app.schemas import post as schemas_post
from app.schemas import tag as schemas_tag
from app.services import bookmark as service_bookmark
from app.services import comment as service_comment
from app.services import post as service_post
from app.services import tag as service_tag

ENTITIES: tuple[GraphQLEntity, ...] = (
    GraphQLEntity(
        names=Names(
            type="Post",
            item="post",
            list="posts",
            create="createPost",
            update="updatePost",
            delete="deletePost",
            changed="postChanged",
        ),
        rules=service_post.RULES,
        query=schemas_post.PostQuery,
        get=service_post.get_post,
        page=service_post.list_posts,
        create_body=schemas_post.PostCreate,
        create=service_post.create_post,
        create_needs_user=True,
        update_body=schemas_post.PostUpdate,
        update=service_post.update_post,
        delete=service_post.delete_post,
        feed=FEEDS[service_post.ENTITY],
        nested=(
            Many(
                "tags", schemas_tag.TagQuery, service_post.group_post_tags, service_post.NOT_FOUND
            ),
            Many(
                "comments",
                schemas_comment.CommentQuery,
                partial(service_comment.SERVICE.lists_of, parent="post_id"),
            ),
        ),
    ),
    GraphQLEntity(
        names=Names(
            type="Comment",
            item="comment",
            list="comments",
            create="createComment",
            update="updateComment",
            delete="deleteComment",
            changed="commentChanged",
        ),
        rules=service_comment.RULES,
        query=schemas_comment.CommentQuery,
        get=service_comment.get_comment,
        page=service_comment.list_comments,
        create_body=schemas_comment.CommentCreate,
        create=service_comment.create_comment,
        create_needs_user=True,
        update_body=schemas_comment.CommentUpdate,
        update=service_comment.update_comment,
        delete=service_comment.delete_comment,
        feed=FEEDS[service_comment.ENTITY],
        nested=(One("post", "post_id", service_post.SERVICE.get_many),),
    ),
    GraphQLEntity(
        names=Names(
            type="Tag",
            item="tag",
            list="tags",
            create="createTag",
            update="updateTag",
            delete="deleteTag",
            changed="tagChanged",
        ),
        rules=service_tag.RULES,
        query=schemas_tag.TagQuery,
        get=service_tag.get_tag,
        page=service_tag.list_tags,
        create_body=schemas_tag.TagCreate,
        create=service_tag.create_tag,
        create_needs_user=False,
        update_body=schemas_tag.TagUpdate,
        update=service_tag.update_tag,
        delete=service_tag.delete_tag,
        feed=FEEDS[service_tag.ENTITY],
    ),
    GraphQLEntity(
        names=Names(
            type="Bookmark",
            item="bookmark",
            list="bookmarks",
            create="createBookmark",
            update="updateBookmark",
            delete="deleteBookmark",
            changed="bookmarkChanged",
        ),
        rules=service_bookmark.RULES,
        query=schemas_bookmark.BookmarkQuery,
        get=service_bookmark.get_bookmark,
        page=service_bookmark.list_bookmarks,
        create_body=schemas_bookmark.BookmarkCreate,
        create=service_bookmark.create_bookmark,
        create_needs_user=True,
        update_body=schemas_bookmark.BookmarkUpdate,
        update=service_bookmark.update_bookmark,
        delete=service_bookmark.delete_bookmark,
        feed=FEEDS[service_bookmark.ENTITY],
        nested=(One("post", "post_id", service_post.SERVICE.get_many),),
    ),
)
